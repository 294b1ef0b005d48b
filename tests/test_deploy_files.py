"""The operators' files in deploy/ (docs/production.md) stay in step with the code.

deploy/rehearse.py follows the whole guide on a machine; it installs packages and takes
minutes, so it is not part of this suite. These checks are the cheap part: the files are
there, the settings file names only settings that exist and loads as a production
configuration, the shell and systemd read it alike, and nginx, systemd and the scripts
agree with each other and with the settings.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from sharon.config import ROOT, SETTINGS, load

DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "sharon.env.example"
FILES = ["nginx/sharon.conf", "nginx/unavailable.html", "systemd/sharon@.service",
         "systemd/sharon.target", "systemd/sharon-backup.service",
         "systemd/sharon-backup.timer", "sharon.env.example", "backup.sh", "restore.sh",
         "sharon-flask", "rehearse.py"]
SCRIPTS = ["backup.sh", "restore.sh", "sharon-flask"]


def systemd_env(path: Path) -> dict[str, str]:
    """An EnvironmentFile as systemd reads it (KEY=value, one pair of quotes removed)."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not KEY=value: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def test_the_deploy_files_and_the_guide_exist():
    for name in FILES:
        assert (DEPLOY / name).is_file(), name
    for name in SCRIPTS:
        assert os.access(DEPLOY / name, os.X_OK), f"{name} is not executable"
    guide = (ROOT / "docs/production.md").read_text()
    for name in FILES:
        assert f"deploy/{name}" in guide, f"docs/production.md never mentions deploy/{name}"


def test_the_settings_file_names_only_settings_that_exist():
    known = {s.name for s in SETTINGS}
    text = ENV_EXAMPLE.read_text()
    named = set(re.findall(r"^#?\s*(SHARON_[A-Z0-9_]+)=", text, re.M))
    assert named, "no settings found"
    assert named <= known, f"not settings: {sorted(named - known)}"
    # The port comes from each unit's instance name; EnvironmentFile would override it.
    assert "SHARON_PORT" not in systemd_env(ENV_EXAMPLE)


def test_the_settings_file_is_a_production_configuration(tmp_path):
    env = systemd_env(ENV_EXAMPLE)
    assert env["SHARON_ENV"] == "production"
    assert env["SHARON_PROXY_COUNT"] == "1"
    assert env["SHARON_DATABASE_URL"].startswith("postgresql+psycopg2://")
    assert env["SHARON_REDIS_URL"].startswith("redis://")
    assert env["SHARON_MEDIA_DIR"].startswith("/var/lib/sharon/")
    assert env["SHARON_HOST"] == "127.0.0.1"
    # Filled in as the guide says, it loads; left as it is, production refuses to start.
    filled = {**env, "SHARON_SECRET_KEY": "a" * 64,
              "SHARON_PRIVACY_CONTROLLER": "Anytown NHS Foundation Trust",
              "SHARON_PRIVACY_CONTACT": "dpo@anytown.nhs.uk"}
    config = load(filled, instance_path=str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"]
    assert config["SHARON_MEDIA_DIR"] == env["SHARON_MEDIA_DIR"]


def test_the_shell_reads_the_settings_file_as_systemd_does():
    script = f'set -a; . "{ENV_EXAMPLE}"; set +a; env -0'
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    shell = dict(item.split("=", 1) for item in out.stdout.split("\0") if "=" in item)
    for key, value in systemd_env(ENV_EXAMPLE).items():
        assert shell.get(key) == value, key


def test_nginx_allows_the_largest_video_and_keeps_sockets_sticky():
    conf = (DEPLOY / "nginx/sharon.conf").read_text()
    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit and int(limit[1]) > int(systemd_env(ENV_EXAMPLE)["SHARON_MAX_VIDEO_MB"])
    assert "ip_hash;" in conf
    assert "proxy_set_header Upgrade           $http_upgrade;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "location /socket.io/" in conf
    assert "return 301 https://" in conf
    assert "root /var/www/sharon;" in conf


def test_the_unit_starts_one_worker_per_port_with_the_settings_file():
    unit = (DEPLOY / "systemd/sharon@.service").read_text()
    assert "Environment=SHARON_PORT=%i" in unit
    assert "EnvironmentFile=/etc/sharon/sharon.env" in unit
    assert "ExecStart=/opt/sharon/current/venv/bin/python wsgi.py" in unit
    assert "WorkingDirectory=/opt/sharon/current" in unit
    assert re.search(r"^Restart=(always|on-failure)$", unit, re.M)
    assert re.search(r"^ReadWritePaths=/var/lib/sharon$", unit, re.M)
    media = systemd_env(ENV_EXAMPLE)["SHARON_MEDIA_DIR"]
    assert media.startswith("/var/lib/sharon/"), "the worker may write only /var/lib/sharon"
    backup = (DEPLOY / "systemd/sharon-backup.service").read_text()
    assert "ExecStart=/usr/local/sbin/sharon-backup /var/backups/sharon" in backup


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh", "sharon-flask"])
def test_the_scripts_are_valid_shell(script):
    subprocess.run(["sh", "-n", str(DEPLOY / script)], check=True)


def test_the_licence_is_the_agpl_named_in_pyproject():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    assert 'license = "AGPL-3.0-or-later"' in (ROOT / "pyproject.toml").read_text()


def test_the_readme_links_only_files_in_the_repository():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    assert "docs/production.md" in links and "LICENSE" in links
    for link in links:
        assert not re.match(r"[a-z]+:", link), f"README links outside the repository: {link}"
        target = (ROOT / link).resolve()
        assert target.is_relative_to(ROOT) and target.exists(), link
