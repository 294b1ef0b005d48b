#!/usr/bin/env python3
"""Follow docs/production.md on this machine, step by step, and print each step's result.

    .venv/bin/python deploy/rehearse.py [--from REV] [--keep]

It installs nginx from Debian if it is missing (apt-get), then does what the guide says,
with every path moved under one temporary folder (/opt/sharon -> T/opt/sharon,
/etc/sharon -> T/etc/sharon, ...), on 127.0.0.1 only:

- a system user, a release with its own venv (`pip install .`), the settings file built
  from deploy/sharon.env.example;
- a fresh PostgreSQL role and database on 127.0.0.1:5432 (dropped at the end), and its
  own redis-server on a free port (so that it shares no Socket.IO channel with anything
  else on this machine);
- migrations, the first admin, two workers started with the ExecStart, Environment and
  EnvironmentFile lines of deploy/systemd/sharon@.service (systemd is not PID 1 here;
  the unit files are checked with `systemd-analyze verify` where it works);
- nginx with deploy/nginx/sharon.conf (ports, paths and name substituted, nothing else)
  and a self-signed certificate, under its own prefix and pid file;
- checks through nginx over HTTPS: /healthz, the redirect from HTTP, the sign-in page,
  signing in as the admin, a Wall socket upgraded to a websocket and sticky to one
  worker, a message crossing to a client of the other worker through Redis, a library
  upload into the media folder, a 20 MB request body;
- deploy/backup.sh, a change after it, deploy/restore.sh into a fresh database and
  folder, a comparison, and a worker serving the restored copy;
- an upgrade: the first release is the commit before HEAD (--from), the second this
  working tree; backup, stop, migrate, start, and the checks again.

Everything it starts is stopped, and its databases, user and folders removed, at the end,
whatever happened (--keep leaves the folder for a look). Not part of the test suite: it
installs packages and takes a few minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import html.parser
import os
import platform
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
USER = "sharon-rehearsal"
# Debian's Python (python3, python3-venv), as the guide installs it: not a pyenv or
# /root one, which the sharon user could not run.
PYTHON = "/usr/bin/python3"
ADMIN = "rehearsal_admin"

try:
    import requests
    import socketio
    import urllib3
except ImportError:  # pragma: no cover - told to the person running it
    sys.exit("rehearse.py needs requests and python-socketio[client]: run it with the "
             "project's venv, .venv/bin/python deploy/rehearse.py (make setup makes it).")
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


# --- Reporting --------------------------------------------------------------------------

class StepFailed(Exception):
    pass


class Report:
    def __init__(self) -> None:
        self.results: list[tuple[str, str]] = []
        self.number = 0
        self.failed = False

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[list[str]]:
        """Run one step: PASS with the evidence it collected, or FAIL with why."""
        self.number += 1
        label = f"{self.number:2d}. {title}"
        evidence: list[str] = []
        if self.failed:
            print(f"SKIP {label} (an earlier step failed)", flush=True)
            self.results.append((title, "SKIP"))
            raise _Skip
        started = time.monotonic()
        try:
            yield evidence
        except Exception as error:  # noqa: BLE001 - every failure is reported
            self.failed = True
            self.results.append((title, "FAIL"))
            print(f"FAIL {label}", flush=True)
            for line in evidence:
                print(f"       {line}")
            detail = str(error) if isinstance(error, StepFailed) else traceback.format_exc()
            for line in detail.rstrip().splitlines():
                print(f"     ! {line}")
            raise _Skip from None
        took = time.monotonic() - started
        self.results.append((title, "PASS"))
        print(f"PASS {label} ({took:.1f} s)", flush=True)
        for line in evidence:
            print(f"       {line}")


class _Skip(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def run(cmd: list[str] | str, *, env: dict[str, str] | None = None, user: str | None = None,
        cwd: Path | None = None, check_rc: bool = True, input: str | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the step fails with its output."""
    kwargs: dict[str, Any] = {}
    if user is not None and os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        kwargs.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                            input=input, timeout=timeout, shell=isinstance(cmd, str), **kwargs)
    if check_rc and result.returncode != 0:
        shown = cmd if isinstance(cmd, str) else " ".join(cmd)
        raise StepFailed(f"`{shown}` exited {result.returncode}:\n{result.stdout}\n"
                         f"{result.stderr}")
    return result


def psql(sql: str, database: str = "postgres") -> str:
    env = {**os.environ, "PGHOST": PG["host"], "PGPORT": PG["port"], "PGUSER": PG["user"]}
    return run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database,
                "-c", sql], env=env).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    raise StepFailed(f"timed out after {seconds:.0f} s waiting for {what}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tail(text: str, lines: int = 3) -> list[str]:
    return [line for line in text.strip().splitlines()[-lines:] if line.strip()]


# --- The environment file, as systemd reads it -----------------------------------------

def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines; comments and blank lines skipped; one pair of quotes removed."""
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def set_env_value(text: str, key: str, value: str) -> str:
    pattern = re.compile(rf"^{re.escape(key)}=.*$", re.M)
    check(bool(pattern.search(text)), f"{key} is missing from deploy/sharon.env.example")
    return pattern.sub(lambda _: f"{key}={value}", text)


class Unit:
    """What the rehearsal needs of a systemd service unit (one section per key)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[tuple[str, str]] = []
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if "=" in line and not line.startswith(("#", ";", "[")):
                key, _, value = line.partition("=")
                self.lines.append((key.strip(), value.strip()))

    def get(self, key: str) -> list[str]:
        return [value for k, value in self.lines if k == key]


# --- HTML forms --------------------------------------------------------------------------

class FormParser(html.parser.HTMLParser):
    """Every form on a page: its action, method and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get"),
                          "id": a.get("id", ""), "fields": {}, "names": []}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            self._form["names"].append(a["name"])
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._form["fields"].setdefault(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "file", "button"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["names"].append(a["name"])
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


def form_with(page: str, field: str) -> dict[str, Any]:
    parser = FormParser()
    parser.feed(page)
    for form in parser.forms:
        if field in form["names"]:
            return form
    raise StepFailed(f"no form with a {field!r} field on the page")


# --- The rehearsal ------------------------------------------------------------------------

class Rehearsal:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.report = Report()
        self.root = Path(tempfile.mkdtemp(prefix="sharon-rehearsal-"))
        self.root.chmod(0o755)
        self.opt = self.root / "opt/sharon"
        self.etc = self.root / "etc/sharon"
        self.env_file = self.etc / "sharon.env"
        self.media = self.root / "var/lib/sharon/media"
        self.backups = self.root / "var/backups/sharon"
        self.logs = self.root / "log"
        self.bin = self.root / "usr/local/bin"
        self.sbin = self.root / "usr/local/sbin"
        self.nginx_dir = self.root / "nginx"
        self.ssl = self.root / "etc/ssl/sharon"
        self.ca = str(self.ssl / "fullchain.pem")
        tag = f"{os.getpid()}"
        self.db = f"sharon_rehearsal_{tag}"
        self.db_restored = f"sharon_rehearsal_restored_{tag}"
        self.db_role = f"sharon_rehearsal_{tag}"
        self.db_password = secrets.token_hex(16)
        self.admin_password = "Rehearsal-" + secrets.token_urlsafe(12)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.databases: list[str] = []
        self.role_made = False
        self.user_made = False
        self.run_as: str | None = None
        self.ports: list[int] = []
        self.https_port = self.http_port = self.redis_port = 0
        self.release = ""
        self.nginx_ok = False

    # --- helpers ---

    def url(self, path: str = "") -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"

    def path_map(self) -> dict[str, str]:
        """Production paths in the deploy files -> this rehearsal's."""
        return {"/opt/sharon": str(self.opt), "/etc/sharon": str(self.etc),
                "/var/lib/sharon": str(self.root / "var/lib/sharon"),
                "/var/backups/sharon": str(self.backups),
                "/usr/local": str(self.root / "usr/local"),
                "/var/www/sharon": str(self.root / "var/www/sharon")}

    def moved(self, text: str) -> str:
        for old, new in self.path_map().items():
            text = text.replace(old, new)
        return text

    def flask(self, *args: str, extra: dict[str, str] | None = None,
              check_rc: bool = True) -> subprocess.CompletedProcess[str]:
        """sharon-flask ARGS, as the sharon user, as the guide runs it."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "SHARON_ENV_FILE": str(self.env_file), "SHARON_APP_DIR": str(self.opt / "current"),
               **(extra or {})}
        return run([str(self.bin / "sharon-flask"), *args], env=env, user=self.run_as,
                   check_rc=check_rc)

    def script_env(self) -> dict[str, str]:
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                "SHARON_ENV_FILE": str(self.env_file)}

    def start_worker(self, port: int, env_file: Path | None = None) -> subprocess.Popen[bytes]:
        """Start a worker the way sharon@PORT.service does: its Environment= lines, then its
        EnvironmentFile= (which systemd lets override them), its WorkingDirectory, its
        User, its ExecStart; output to a log file (the journal's stand-in)."""
        unit = Unit(DEPLOY / "systemd/sharon@.service")
        env: dict[str, str] = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        for item in unit.get("Environment"):
            key, _, value = item.partition("=")
            env[key] = value.replace("%i", str(port))
        for file in unit.get("EnvironmentFile"):
            path = Path(self.moved(file.lstrip("-")))
            env.update(read_env_file(env_file or path))
        workdir = Path(self.moved(unit.get("WorkingDirectory")[0]))
        command = self.moved(unit.get("ExecStart")[0]).split()
        log = open(self.logs / f"sharon-{port}.log", "ab")  # noqa: SIM115 - kept by the process
        kwargs: dict[str, Any] = {}
        if self.run_as and os.geteuid() == 0:
            entry = pwd.getpwnam(self.run_as)
            kwargs.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        self.processes[f"worker {port}"] = process
        wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok, 30,
                 f"the worker on port {port}")
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # what systemctl stop sends
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def https_session(self) -> requests.Session:
        """A requests session that trusts the rehearsal's own certificate, and nothing from
        the environment (REQUESTS_CA_BUNDLE would replace it)."""
        s = requests.Session()
        s.trust_env = False
        s.verify = self.ca
        return s

    def signed_in(self) -> tuple[requests.Session, str]:
        """Sign in as the admin through nginx; the session and a page."""
        s = self.https_session()
        page = s.get(self.url("/sign-in"), timeout=10)
        check(page.status_code == 200, f"sign-in page: {page.status_code}")
        form = form_with(page.text, "password")
        fields = {**form["fields"], "username": ADMIN, "password": self.admin_password}
        # A browser sends the page it posts from; Flask-WTF checks it on HTTPS.
        answer = s.post(self.url("/sign-in"), data=fields, timeout=30, allow_redirects=False,
                        headers={"Referer": self.url("/sign-in")})
        check(answer.status_code in (302, 303),
              f"signing in answered {answer.status_code}, not a redirect")
        home = s.get(self.url(answer.headers["Location"]) if answer.headers["Location"]
                     .startswith("/") else answer.headers["Location"], timeout=10)
        check("Sign out" in home.text, "the page after signing in has no 'Sign out'")
        return s, answer.headers.get("Set-Cookie", "")

    def worker_holding(self, client: Any) -> int:
        """The worker port whose process holds a connection from nginx for this socket: the
        one that answered its handshake, from nginx's log once it has one, else from ss."""
        wait_for(lambda: client.transport() == "websocket", 10, "the websocket upgrade")
        established = run(["ss", "-tnpH", "state", "established"], check_rc=False).stdout
        counts = {port: sum(1 for line in established.splitlines()
                            if f"127.0.0.1:{port} " in line and "nginx" in line)
                  for port in self.ports}
        busiest = max(counts, key=lambda p: counts[p])
        check(counts[busiest] > 0, f"no nginx connection to any worker: {counts}")
        return busiest

    def wall_client(self, session: requests.Session, url: str,
                    cookie_header: str | None = None,
                    transports: list[str] | None = None) -> tuple[Any, dict[str, list[Any]]]:
        """A Socket.IO client on /wall collecting every event it is sent."""
        got: dict[str, list[Any]] = {}
        client = socketio.Client(http_session=session, ssl_verify=self.ca,
                                 reconnection=False)
        for event in ("status", "message", "update", "synced", "notice", "held", "waiting",
                      "sync", "resync"):
            client.on(event, (lambda name: lambda data=None: got.setdefault(name, [])
                              .append(data))(event), namespace="/wall")
        # Straight to a worker (not through nginx): say what nginx would, that the client
        # came over HTTPS, since production refuses anything else.
        headers = {"Cookie": cookie_header, "X-Forwarded-Proto": "https"} if cookie_header else {}
        client.connect(url, namespaces=["/wall"], headers=headers, wait_timeout=10,
                       transports=transports)
        wait_for(lambda: "synced" in got, 10, "the Wall's synced event")
        return client, got

    def access_lines(self) -> list[str]:
        path = self.nginx_dir / "logs/sharon.access.log"
        return path.read_text().splitlines() if path.exists() else []

    # --- steps ---

    def go(self) -> int:
        print(f"SHaRON production rehearsal, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
              f"{platform.node()}: {self.describe_machine()}")
        print(f"Working folder: {self.root}")
        steps = [self.prerequisites, self.system_user, self.install_release, self.settings,
                 self.database, self.migrate, self.first_admin, self.redis, self.unit_files,
                 self.workers, self.certificate, self.nginx, self.https_checks, self.sign_in,
                 self.wall_socket, self.upload, self.backup, self.after_backup, self.restore,
                 self.restored_worker, self.upgrade, self.after_upgrade, self.logs_step]
        try:
            for step in steps:
                with contextlib.suppress(_Skip):
                    step()
        finally:
            self.cleanup()
        passed = sum(1 for _, r in self.report.results if r == "PASS")
        failed = sum(1 for _, r in self.report.results if r == "FAIL")
        skipped = sum(1 for _, r in self.report.results if r == "SKIP")
        print(f"\n{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
        return 1 if failed or skipped else 0

    def describe_machine(self) -> str:
        os_name = "unknown system"
        with contextlib.suppress(OSError):
            info = dict(line.split("=", 1) for line in
                        Path("/etc/os-release").read_text().splitlines() if "=" in line)
            os_name = info.get("PRETTY_NAME", os_name).strip('"')
        return (f"{os_name}, {os.cpu_count()} cores (this script on Python "
                f"{platform.python_version()}; the releases on Debian's, below)")

    def prerequisites(self) -> None:
        with self.report.step("Prerequisites (Debian packages)") as ev:
            if shutil.which("nginx") is None:
                ev.append("nginx is missing: apt-get install -y nginx")
                env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
                installed = run(["apt-get", "install", "-y", "-qq", "nginx"], env=env,
                                check_rc=False)
                if installed.returncode != 0:
                    run(["apt-get", "update", "-qq"], check_rc=False)
                    installed = run(["apt-get", "install", "-y", "-qq", "nginx"], env=env,
                                    check_rc=False)
                check(installed.returncode == 0,
                      "nginx could not be installed from Debian here, so the steps through "
                      f"nginx cannot be rehearsed:\n{installed.stderr[-800:]}")
            for tool, version in (("nginx", ["nginx", "-v"]), ("openssl", ["openssl", "version"]),
                                  ("psql", ["psql", "--version"]),
                                  ("pg_dump", ["pg_dump", "--version"]),
                                  ("pg_restore", ["pg_restore", "--version"]),
                                  ("redis-server", ["redis-server", "--version"]),
                                  (PYTHON, [PYTHON, "--version"])):
                check(shutil.which(tool) is not None, f"{tool} is not installed")
                out = run(version)
                ev.append(f"{tool}: {(out.stdout or out.stderr).strip().splitlines()[0]}")
            run([PYTHON, "-c", "import venv, ensurepip"])
            server = psql("SHOW server_version")
            ev.append(f"PostgreSQL server at {PG['host']}:{PG['port']}: {server}")
            dump_major = int(re.search(r"(\d+)\.", run(["pg_dump", "--version"]).stdout)[1])
            check(dump_major >= int(server.split(".")[0]),
                  "pg_dump is older than the server: install the matching postgresql-client")

    def system_user(self) -> None:
        with self.report.step("System user, folders and the three commands") as ev:
            for folder in (self.opt / "releases", self.etc, self.media, self.backups,
                           self.logs, self.bin, self.sbin, self.ssl):
                folder.mkdir(parents=True, exist_ok=True)
            for source, target in (("sharon-flask", self.bin / "sharon-flask"),
                                   ("backup.sh", self.sbin / "sharon-backup"),
                                   ("restore.sh", self.sbin / "sharon-restore")):
                shutil.copy(DEPLOY / source, target)
                target.chmod(0o755)
            www = self.root / "var/www/sharon"
            www.mkdir(parents=True)
            shutil.copy(DEPLOY / "nginx/unavailable.html", www / "sharon-unavailable.html")
            ev.append("install -m 0755: sharon-flask (usr/local/bin), sharon-backup and "
                      "sharon-restore (usr/local/sbin); the page nginx shows while no worker "
                      "answers (var/www/sharon)")
            if os.geteuid() != 0:
                ev.append(f"not root: everything runs as {pwd.getpwuid(os.geteuid()).pw_name}")
                return
            try:
                pwd.getpwnam(USER)
            except KeyError:
                run(["useradd", "--system", "--user-group", "--home-dir",
                     str(self.root / "var/lib/sharon"), "--no-create-home",
                     "--shell", "/usr/sbin/nologin", USER])
                self.user_made = True
            self.run_as = USER
            entry = pwd.getpwnam(USER)
            for folder in (self.root / "var/lib/sharon", self.media, self.backups):
                os.chown(folder, entry.pw_uid, entry.pw_gid)
            self.media.chmod(0o750)
            self.backups.chmod(0o700)
            ev.append(f"useradd --system {USER} (uid {entry.pw_uid}, shell /usr/sbin/nologin)")
            ev.append(f"media {self.media} and backups {self.backups} owned by {USER}")

    def make_release(self, name: str, source: str) -> Path:
        """A release folder: `git archive REV` (an earlier release) or this working tree."""
        target = self.opt / "releases" / name
        target.mkdir(parents=True)
        if source == "worktree":
            files = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                        cwd=REPO).stdout.split("\0")
            for rel in filter(None, files):
                src = REPO / rel
                if src.is_file():
                    (target / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, target / rel)
        else:
            archive = subprocess.run(["git", "archive", "--format=tar", source], cwd=REPO,
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        run([PYTHON, "-m", "venv", str(target / "venv")])
        run([str(target / "venv/bin/pip"), "install", "--quiet", "--disable-pip-version-check",
             str(target)], cwd=target, timeout=900)
        return target

    def switch_current(self, release: Path) -> None:
        current = self.opt / "current"
        tmp = self.opt / "current.new"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(release)
        tmp.rename(current)  # ln -sfn: one atomic rename

    def install_release(self) -> None:
        with self.report.step(f"Install release 1 ({self.args.source_from}) with its venv "
                              "(pip install .)") as ev:
            rev = run(["git", "rev-parse", "--short", self.args.source_from],
                      cwd=REPO).stdout.strip()
            release = self.make_release(f"r1-{rev}", self.args.source_from)
            self.switch_current(release)
            versions = run([str(release / "venv/bin/python"), "-c",
                            "import importlib.metadata as m; print(', '.join(f'{p} ' + "
                            "m.version(p) for p in ('sharon', 'Flask', 'Flask-SocketIO', "
                            "'eventlet', 'psycopg2-binary', 'redis')))"]).stdout.strip()
            ev.append(f"{release} from git archive {rev}; current -> {release.name}")
            ev.append(f"venv: {versions}")

    def settings(self) -> None:
        with self.report.step("Settings file from deploy/sharon.env.example") as ev:
            text = (DEPLOY / "sharon.env.example").read_text()
            self.https_port = self.https_port or free_port()  # the site's address needs it
            self.redis_port = free_port()
            values = {
                "SHARON_SECRET_KEY": secrets.token_hex(32),
                "SHARON_DATABASE_URL": f"postgresql+psycopg2://{self.db_role}:"
                                       f"{self.db_password}@127.0.0.1:5432/{self.db}",
                "SHARON_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "SHARON_MEDIA_DIR": str(self.media),
                # Newer releases refuse to start in production without these two.
                "SHARON_PRIVACY_CONTROLLER": '"Rehearsal NHS Foundation Trust"',
                "SHARON_PRIVACY_CONTACT": "dpo@rehearsal.example.nhs.uk",
                "SHARON_SERVICE_NAME": '"Rehearsal Talking Therapies"',
                "SHARON_SITE_URL": f"https://127.0.0.1:{self.https_port}",
            }
            for key, value in values.items():
                text = set_env_value(text, key, value)
            check("SHARON_PORT=" not in text, "the settings file must not set SHARON_PORT")
            self.env_file.write_text(text)
            self.env_file.chmod(0o640)
            if self.run_as:
                os.chown(self.env_file, 0, pwd.getpwnam(self.run_as).pw_gid)
            settings = read_env_file(self.env_file)
            for key in ("SHARON_ENV", "SHARON_PROXY_COUNT", "SHARON_HOST"):
                ev.append(f"{key}={settings[key]}")
            ev.append(f"filled in: {', '.join(values)} (secret key: 64 hex characters)")
            ev.append(f"{self.env_file}: mode 0640, group {self.run_as or 'unchanged'}; "
                      f"{len(settings)} settings")

    def database(self) -> None:
        with self.report.step("PostgreSQL role and fresh database") as ev:
            psql(f"CREATE ROLE {self.db_role} LOGIN PASSWORD '{self.db_password}'")
            self.role_made = True
            psql(f"CREATE DATABASE {self.db} OWNER {self.db_role} ENCODING 'UTF8' "
                 "TEMPLATE template0")
            self.databases.append(self.db)
            owner = psql(f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = "
                         f"'{self.db}'")
            ev.append(f"CREATE ROLE {self.db_role} LOGIN PASSWORD …; CREATE DATABASE {self.db} "
                      f"OWNER {owner}")

    def migrate(self) -> None:
        with self.report.step("Migrate: sharon-flask db upgrade") as ev:
            out = self.flask("db", "upgrade")
            revision = psql("SELECT version_num FROM alembic_version", self.db)
            tables = psql("SELECT count(*) FROM information_schema.tables WHERE "
                          "table_schema = 'public'", self.db)
            self.revision_1 = revision
            ran = [line for line in (out.stderr + out.stdout).splitlines()
                   if "Running upgrade" in line]
            check(bool(ran), "no migration ran")
            ev.append(f"{len(ran)} migrations ran; last: {ran[-1].split('Running upgrade ')[-1]}")
            ev.append(f"alembic_version = {revision}; {tables} tables")

    def first_admin(self) -> None:
        with self.report.step("First admin: sharon-flask create-user") as ev:
            out = self.flask("create-user", ADMIN, "--role", "admin", "--email",
                             "it-team@example.nhs.uk", "--real-name", "Rehearsal Admin",
                             extra={"SHARON_PASSWORD": self.admin_password})
            ev.append(out.stdout.strip())
            role = psql(f"SELECT role FROM users WHERE username = '{ADMIN}'", self.db)
            check(role == "admin", f"the account's role is {role!r}")
            ev.append(f"users row: {ADMIN}, role {role}")

    def redis(self) -> None:
        with self.report.step("Redis (its own redis-server on 127.0.0.1)") as ev:
            folder = self.root / "redis"
            folder.mkdir()
            log = open(self.logs / "redis.log", "ab")  # noqa: SIM115
            process = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
                 "--save", "", "--appendonly", "no", "--dir", str(folder)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self.processes["redis"] = process
            wait_for(lambda: run(["redis-cli", "-p", str(self.redis_port), "ping"],
                                 check_rc=False).stdout.strip() == "PONG", 10, "redis-server")
            ev.append(f"redis-server on 127.0.0.1:{self.redis_port} (pid {process.pid}): PONG")
            ev.append("its own server, not the machine's: Socket.IO's Redis channel is shared "
                      "by every database number")

    def unit_files(self) -> None:
        with self.report.step("systemd units: systemd-analyze verify") as ev:
            pid1 = Path("/proc/1/comm").read_text().strip()
            ev.append(f"PID 1 here is {pid1!r}: workers are started below from the unit's own "
                      "lines, not by systemctl")
            if shutil.which("systemd-analyze") is None:
                ev.append("systemd-analyze is not installed: not verified")
                return
            folder = self.root / "units"
            folder.mkdir()
            for unit in (DEPLOY / "systemd").iterdir():
                text = self.moved(unit.read_text())
                if self.run_as:
                    text = re.sub(r"^(User|Group)=sharon$", rf"\1={self.run_as}", text, flags=re.M)
                (folder / unit.name).write_text(text)
            names = [str(folder / "sharon@5001.service"), str(folder / "sharon.target"),
                     str(folder / "sharon-backup.service"), str(folder / "sharon-backup.timer")]
            (folder / "sharon@5001.service").symlink_to(folder / "sharon@.service")
            out = run(["systemd-analyze", "verify", *names], check_rc=False,
                      env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})
            messages = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
            ours = [m for m in messages if str(folder) in m]
            check(out.returncode == 0 and not ours,
                  "systemd-analyze verify found problems:\n" + "\n".join(messages))
            ev.append("systemd-analyze verify sharon@5001.service sharon.target "
                      "sharon-backup.service sharon-backup.timer: exit 0, no findings about them"
                      + (f" ({len(messages)} lines about other units)" if messages else ""))

    def workers(self) -> None:
        with self.report.step("Two workers, as sharon@PORT.service starts them") as ev:
            self.ports = [free_port(), free_port()]
            unit = Unit(DEPLOY / "systemd/sharon@.service")
            ev.append(f"ExecStart={unit.get('ExecStart')[0]}  (in "
                      f"{unit.get('WorkingDirectory')[0]}, as User={unit.get('User')[0]}, "
                      f"Environment={unit.get('Environment')[0]})")
            for port in self.ports:
                process = self.start_worker(port)
                first = (self.logs / f"sharon-{port}.log").read_text().splitlines()
                serving = next((line for line in first if "serving" in line), "?")
                ev.append(f"worker {port}: pid {process.pid}, user "
                          f"{pwd.getpwuid(os.stat(f'/proc/{process.pid}').st_uid).pw_name}: "
                          f"{serving}")
            listening = run(["ss", "-ltnH"], check_rc=False).stdout
            for port in self.ports:
                where = [line.split()[3] for line in listening.splitlines()
                         if line.split()[3].endswith(f":{port}")]
                check(where == [f"127.0.0.1:{port}"], f"port {port} listens on {where}")
            ev.append(f"ss -ltn: both listen on 127.0.0.1 only ({self.ports[0]}, {self.ports[1]})")

    def certificate(self) -> None:
        with self.report.step("Self-signed TLS certificate (openssl)") as ev:
            run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
                 "-subj", "/CN=sharon.rehearsal.test",
                 "-addext", "subjectAltName=DNS:sharon.rehearsal.test,IP:127.0.0.1",
                 "-keyout", str(self.ssl / "privkey.pem"), "-out", str(self.ssl / "fullchain.pem")])
            (self.ssl / "privkey.pem").chmod(0o600)
            out = run(["openssl", "x509", "-in", str(self.ssl / "fullchain.pem"), "-noout",
                       "-subject", "-enddate"]).stdout
            ev.extend(out.strip().splitlines())

    def nginx_conf(self) -> str:
        """deploy/nginx/sharon.conf with this rehearsal's ports, paths and name."""
        text = (DEPLOY / "nginx/sharon.conf").read_text()
        logs = self.nginx_dir / "logs"
        swaps = [
            ("    server 127.0.0.1:5001;\n    server 127.0.0.1:5002;\n",
             f"    server 127.0.0.1:{self.ports[0]};\n    server 127.0.0.1:{self.ports[1]};\n"),
            ("    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{self.http_port};\n"),
            ("    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
             f"    listen 127.0.0.1:{self.https_port} ssl http2;\n"),
            ("return 301 https://$host$request_uri;",
             f"return 301 https://$host:{self.https_port}$request_uri;"),
            ("/etc/ssl/sharon/", f"{self.ssl}/"),
            ("/var/log/nginx/", f"{logs}/"),
            ("root /var/www/sharon;", f"root {self.root / 'var/www/sharon'};"),
            ("server_name sharon.example.nhs.uk;", "server_name 127.0.0.1 sharon.rehearsal.test;"),
        ]
        for old, new in swaps:
            check(old in text, f"deploy/nginx/sharon.conf no longer has {old.strip()!r}")
            text = text.replace(old, new)
        return text

    def nginx(self) -> None:
        with self.report.step("nginx with deploy/nginx/sharon.conf (own prefix, pid file)") as ev:
            self.https_port, self.http_port = self.https_port or free_port(), free_port()
            for sub in ("logs", "tmp", "sites"):
                (self.nginx_dir / sub).mkdir(parents=True, exist_ok=True)
            (self.nginx_dir / "sites/sharon.conf").write_text(self.nginx_conf())
            worker_user = "www-data" if os.geteuid() == 0 else None
            tmp = self.nginx_dir / "tmp"
            if worker_user:
                entry = pwd.getpwnam(worker_user)
                os.chown(tmp, entry.pw_uid, entry.pw_gid)
            (self.nginx_dir / "nginx.conf").write_text(
                (f"user {worker_user};\n" if worker_user else "")
                + f"worker_processes 2;\npid {self.nginx_dir}/nginx.pid;\n"
                f"error_log {self.nginx_dir}/logs/error.log;\n"
                "events { worker_connections 1024; }\n"
                "http {\n    include /etc/nginx/mime.types;\n"
                f"    client_body_temp_path {tmp}/body;\n    proxy_temp_path {tmp}/proxy;\n"
                f"    fastcgi_temp_path {tmp}/fastcgi;\n    uwsgi_temp_path {tmp}/uwsgi;\n"
                f"    scgi_temp_path {tmp}/scgi;\n"
                f"    access_log {self.nginx_dir}/logs/other.log;\n"
                f"    include {self.nginx_dir}/sites/sharon.conf;\n}}\n")
            base = ["nginx", "-p", str(self.nginx_dir), "-c", str(self.nginx_dir / "nginx.conf")]
            test = run([*base, "-t"])
            ev.extend(line for line in test.stderr.strip().splitlines())
            log = open(self.logs / "nginx.log", "ab")  # noqa: SIM115
            process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            self.processes["nginx"] = process
            wait_for(lambda: requests.get(self.url("/healthz"), verify=self.ca, timeout=2).ok, 15,
                     "nginx")
            self.nginx_ok = True
            ev.append(f"nginx (pid {process.pid}) on 127.0.0.1:{self.https_port} (HTTPS) and "
                      f"127.0.0.1:{self.http_port} (HTTP); upstream {self.ports}")

    def https_checks(self) -> None:
        with self.report.step("Through nginx: /healthz, HTTP redirect, sign-in page") as ev:
            health = requests.get(self.url("/healthz"), verify=self.ca, timeout=5)
            check(health.status_code == 200 and health.text == "ok",
                  f"/healthz: {health.status_code} {health.text!r}")
            ev.append(f"GET {self.url('/healthz')} -> {health.status_code} {health.text!r}")
            plain = requests.get(f"http://127.0.0.1:{self.http_port}/sign-in?next=/wall/",
                                 allow_redirects=False, timeout=5)
            location = plain.headers.get("Location", "")
            check(plain.status_code == 301 and location == self.url("/sign-in?next=/wall/"),
                  f"plain HTTP answered {plain.status_code} {location!r}")
            ev.append(f"GET http://127.0.0.1:{self.http_port}/sign-in?next=/wall/ -> 301 "
                      f"{location}")
            page = requests.get(self.url("/sign-in"), verify=self.ca, timeout=10)
            check(page.status_code == 200, f"sign-in page: {page.status_code}")
            hsts = page.headers.get("Strict-Transport-Security", "")
            check(bool(hsts), "no Strict-Transport-Security header (SHARON_ENV=production?)")
            cookie = page.headers.get("Set-Cookie", "")
            check("Secure" in cookie and "HttpOnly" in cookie,
                  f"the session cookie is not Secure and HttpOnly: {cookie!r}")
            ev.append(f"GET /sign-in -> 200; Strict-Transport-Security: {hsts}")
            ev.append("session cookie: " + "; ".join(
                part.strip() for part in cookie.split(";")[1:] if "=" not in part
                or part.strip().lower().startswith("samesite")))
            check("server_tokens" not in page.headers.get("Server", "") and
                  page.headers.get("Server", "") == "nginx",
                  f"Server header: {page.headers.get('Server')!r}")
            ev.append("Server: nginx (no version)")

    def sign_in(self) -> None:
        with self.report.step("Sign in as the admin through nginx (with the CSRF token)") as ev:
            self.session, _ = self.signed_in()
            names = sorted(c.name for c in self.session.cookies)
            ev.append(f"POST /sign-in with csrf_token -> redirect; next page shows 'Sign out'; "
                      f"cookies: {', '.join(names)}")
            forged = requests.post(self.url("/sign-in"), verify=self.ca, timeout=10,
                                   headers={"Referer": self.url("/sign-in")},
                                   data={"username": ADMIN, "password": self.admin_password})
            check(forged.status_code == 400, f"without CSRF: {forged.status_code}")
            ev.append("the same POST without the CSRF token -> 400")

    def upstream_of(self, lines: list[str]) -> set[str]:
        return {m.group(1) for line in lines
                if "/socket.io/" in line and (m := re.search(r"upstream=(\S+)", line))}

    def wall_socket(self) -> None:
        with self.report.step("The Wall: Socket.IO through nginx, websocket, sticky, Redis") as ev:
            opened = self.flask("wall-session", "--minutes", "120", check_rc=False)
            ev.append("sharon-flask wall-session --minutes 120: "
                      + (opened.stdout.strip() or opened.stderr.strip().splitlines()[-1]))
            before = len(self.access_lines())
            client, got = self.wall_client(self.session, self.url())
            wait_for(lambda: client.transport() == "websocket", 10, "the websocket upgrade")
            ev.append(f"connected to {self.url('/socket.io/')} namespace /wall; transport "
                      f"{client.transport()}; status open={got['status'][0]['open']}; "
                      f"synced seq={got['synced'][0]['seq']}")
            check(got["status"][0]["open"], "the Wall is closed")
            # The worker that holds it, from the socket's own connection to it.
            sticky = self.worker_holding(client)
            other = next(p for p in self.ports if p != sticky)
            cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
            direct = requests.Session()
            direct_client, direct_got = self.wall_client(direct, f"http://127.0.0.1:{other}",
                                                         cookie_header=cookie)
            ev.append(f"a second client straight to the other worker (127.0.0.1:{other}): "
                      f"transport {direct_client.transport()}")
            answer = client.call("send", {"body": "Rehearsal message one, before the backup."},
                                 namespace="/wall", timeout=10)
            check(bool(answer and answer.get("ok")), f"send answered {answer}")
            self.message_1 = answer["id"]
            wait_for(lambda: any(m.get("id") == self.message_1
                                 for m in direct_got.get("message", [])), 10,
                     "the message on the other worker's client")
            ev.append(f"send through nginx -> {answer}; the client on the other worker got "
                      f"message {self.message_1} through Redis")
            client.disconnect()
            direct_client.disconnect()
            time.sleep(0.5)  # nginx logs a websocket when it closes
            lines = [x for x in self.access_lines()[before:] if "/socket.io/" in x]
            upstreams = self.upstream_of(lines)
            statuses = [re.search(r'" (\d{3}) ', line)[1] for line in lines]
            check(upstreams == {f"127.0.0.1:{sticky}"},
                  f"the socket's requests went to {upstreams}: not sticky")
            check("101" in statuses, f"no websocket upgrade (101) in nginx's log: {statuses}")
            ev.append(f"nginx log for that socket: {len(lines)} requests (status "
                      f"{', '.join(statuses)}; 101 = websocket upgrade), all to "
                      f"127.0.0.1:{sticky}")
            # Sticky across connections: three more sockets from this address, same worker.
            before = len(self.access_lines())
            for _ in range(3):
                extra, _got = self.wall_client(self.session, self.url(), transports=["polling"])
                extra.disconnect()
            time.sleep(0.5)
            lines = [x for x in self.access_lines()[before:] if "/socket.io/" in x]
            again = self.upstream_of(lines)
            check(again == {f"127.0.0.1:{sticky}"}, f"later sockets went to {again}")
            ev.append(f"3 more connections, long-polling only ({len(lines)} requests): all to "
                      f"127.0.0.1:{sticky} (ip_hash)")

    def upload(self) -> None:
        with self.report.step("Library upload through nginx into SHARON_MEDIA_DIR") as ev:
            page = self.session.get(self.url("/library/manage/new/video"), timeout=10)
            check(page.status_code == 200, f"new video page: {page.status_code}")
            form = form_with(page.text, "title")
            fields = {**form["fields"], "title": "Rehearsal video",
                      "summary": "A video uploaded by the production rehearsal."}
            answer = self.session.post(self.url("/library/manage/new/video"), data=fields,
                                       timeout=10, allow_redirects=False,
                                       headers={"Referer": page.url})
            check(answer.status_code == 303, f"creating the draft answered {answer.status_code}")
            edit_url = answer.headers["Location"]
            self.resource_id = int(re.search(r"/manage/(\d+)/edit", edit_url)[1])
            edit = self.session.get(self.url(edit_url) if edit_url.startswith("/") else edit_url,
                                    timeout=10)
            token = form_with(edit.text, "csrf_token")["fields"]["csrf_token"]
            demo = REPO / "sharon/data/demo"
            self.uploaded: dict[str, str] = {}
            for slot, name, kind in (("video", "breathing.mp4", "video/mp4"),
                                     ("captions", "breathing.vtt", "text/vtt"),
                                     ("poster", "poster.png", "image/png")):
                path = demo / name
                sent = self.session.post(
                    self.url(f"/library/manage/{self.resource_id}/upload/{slot}"),
                    files=[("csrf_token", (None, token)),
                           ("file", (name, path.read_bytes(), kind))],
                    timeout=30, allow_redirects=False, headers={"Referer": edit.url})
                check(sent.status_code == 303, f"uploading {name}: {sent.status_code}\n"
                      f"{sent.text[:500]}")
                self.uploaded[name] = sha256(path)
            stored = sorted(self.media.iterdir())
            hashes = {sha256(p) for p in stored}
            check(set(self.uploaded.values()) <= hashes, "the uploaded files are not in the "
                  "media folder byte for byte")
            owner = pwd.getpwuid(stored[0].stat().st_uid).pw_name
            ev.append(f"draft video {self.resource_id}; uploaded breathing.mp4, .vtt, poster.png "
                      f"-> 303 each")
            ev.append(f"{self.media}: {len(stored)} files, owner {owner}, same sha256 as sent")
            big = requests.post(self.url("/healthz"), data=b"\0" * (20 * 1024 * 1024),
                                verify=self.ca, timeout=60)
            check(big.status_code != 413, "nginx refused a 20 MB body (client_max_body_size)")
            ev.append(f"a 20 MB body through nginx reaches SHaRON (it answers {big.status_code}, "
                      "not nginx's 413; nginx's default limit is 1 MB)")

    def counts(self, database: str) -> dict[str, int]:
        tables = psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                      "ORDER BY tablename", database).split()
        return {t: int(psql(f'SELECT count(*) FROM "{t}"', database)) for t in tables}

    def backup(self) -> None:
        with self.report.step("Backup: deploy/backup.sh (database and media together)") as ev:
            out = run([str(self.sbin / "sharon-backup"), str(self.backups)], env=self.script_env(),
                      user=self.run_as)
            self.backup_dir = Path(out.stdout.strip().splitlines()[-1])
            check(self.backup_dir.is_dir(), f"no backup folder {self.backup_dir}")
            self.counts_at_backup = self.counts(self.db)
            files = sorted(p.name for p in self.backup_dir.iterdir())
            check(files == ["SHA256SUMS", "backup.txt", "database.dump", "media.tar"],
                  f"backup holds {files}")
            ev.append(f"{self.backup_dir}: {', '.join(files)}")
            for line in (self.backup_dir / "backup.txt").read_text().splitlines():
                if line.split(":")[0] in ("schema revision", "media folder", "database.dump",
                                          "media.tar"):
                    ev.append("  " + line)
            mode = oct(self.backup_dir.stat().st_mode & 0o777)
            ev.append(f"folder mode {mode}, owner "
                      f"{pwd.getpwuid(self.backup_dir.stat().st_uid).pw_name}")

    def after_backup(self) -> None:
        with self.report.step("A change after the backup (a second Wall message)") as ev:
            client, _ = self.wall_client(self.session, self.url())
            answer = client.call("send", {"body": "Rehearsal message two, after the backup."},
                                 namespace="/wall", timeout=10)
            client.disconnect()
            check(bool(answer and answer.get("ok")), f"send answered {answer}")
            self.message_2 = answer["id"]
            ev.append(f"message {self.message_2} sent; the live database now has "
                      f"{psql('SELECT count(*) FROM wall_messages', self.db)} Wall messages")

    def restore(self) -> None:
        with self.report.step("Restore into a fresh database and folder: deploy/restore.sh") as ev:
            psql(f"CREATE DATABASE {self.db_restored} OWNER {self.db_role} ENCODING 'UTF8' "
                 "TEMPLATE template0")
            self.databases.append(self.db_restored)
            self.restored_media = self.root / "var/lib/sharon/restored-media"
            url = (f"postgresql+psycopg2://{self.db_role}:{self.db_password}@127.0.0.1:5432/"
                   f"{self.db_restored}")
            out = run([str(self.sbin / "sharon-restore"), "--database-url", url, "--media-dir",
                       str(self.restored_media), str(self.backup_dir)], env=self.script_env(),
                      user=self.run_as)
            ev.extend(tail(out.stdout, 3))
            again = run([str(self.sbin / "sharon-restore"), "--database-url", url, "--media-dir",
                         str(self.restored_media), str(self.backup_dir)], env=self.script_env(),
                        user=self.run_as, check_rc=False)
            check(again.returncode != 0 and "fresh, empty database" in again.stderr,
                  f"restoring twice into one database: {again.returncode} {again.stderr}")
            ev.append("run again into the same database: refused ("
                      + again.stderr.strip().split(": ", 1)[-1] + ")")
            restored = self.counts(self.db_restored)
            differ = {t: (restored.get(t), n) for t, n in self.counts_at_backup.items()
                      if restored.get(t) != n}
            check(restored == self.counts_at_backup,
                  f"row counts (restored, at the backup) differ: {differ}")
            ev.append(f"row counts of all {len(restored)} tables equal the live database's at "
                      f"the backup ({sum(restored.values())} rows)")
            ids = psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM wall_messages",
                       self.db_restored).split(",")
            check(str(self.message_1) in ids and str(self.message_2) not in ids,
                  f"restored Wall messages: {ids}")
            ev.append(f"Wall message {self.message_1} is there, {self.message_2} (after the "
                      "backup) is not")
            live_hash = psql("SELECT password_hash FROM users WHERE username = "
                             f"'{ADMIN}'", self.db)
            check(psql(f"SELECT password_hash FROM users WHERE username = '{ADMIN}'",
                       self.db_restored) == live_hash, "the admin's password hash differs")
            rev = psql("SELECT version_num FROM alembic_version", self.db_restored)
            audit = psql("SELECT count(*) FROM moderation_actions", self.db_restored)
            original = {p.name: sha256(p) for p in self.media.iterdir()}
            copied = {p.name: sha256(p) for p in self.restored_media.iterdir()}
            check(original == copied, "the restored media differ from the live media")
            ev.append(f"schema revision {rev}; {audit} audit lines; {len(copied)} media files "
                      "identical (sha256) to the live folder")
            check(int(audit) > 0, "no audit lines to check the trigger with")
            deleted = run(["psql", "-X", "-q", "-d", self.db_restored, "-c",
                           "DELETE FROM moderation_actions"], check_rc=False,
                          env={**os.environ, "PGHOST": PG["host"], "PGPORT": PG["port"],
                               "PGUSER": PG["user"]})
            check(deleted.returncode != 0 and "append-only" in deleted.stderr,
                  f"DELETE on the restored audit log: {deleted.returncode} {deleted.stderr}")
            ev.append("the restored audit log still refuses DELETE, even from postgres: "
                      + deleted.stderr.strip().splitlines()[0][:90])

    def restored_worker(self) -> None:
        with self.report.step("A worker on the restored copy serves it (admin signs in)") as ev:
            settings = read_env_file(self.env_file)
            settings["SHARON_DATABASE_URL"] = (
                f"postgresql+psycopg2://{self.db_role}:{self.db_password}@127.0.0.1:5432/"
                f"{self.db_restored}")
            settings["SHARON_MEDIA_DIR"] = str(self.restored_media)
            settings["SHARON_REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/1"
            env_file = self.etc / "restored.env"
            env_file.write_text("".join(f'{k}="{v}"\n' for k, v in settings.items()))
            env_file.chmod(0o640)
            if self.run_as:
                os.chown(env_file, 0, pwd.getpwnam(self.run_as).pw_gid)
            port = free_port()
            self.start_worker(port, env_file=env_file)
            base = f"http://127.0.0.1:{port}"
            s = requests.Session()
            page = s.get(base + "/sign-in", timeout=10, headers={"X-Forwarded-Proto": "https"})
            form = form_with(page.text, "password")
            # The cookie is Secure; this check talks plain HTTP to the worker, so pass it on.
            jar = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
            answer = requests.post(base + "/sign-in", timeout=30, allow_redirects=False,
                                   headers={"Cookie": jar, "X-Forwarded-Proto": "https",
                                            "Referer": f"https://127.0.0.1:{port}/sign-in"},
                                   data={**form["fields"], "username": ADMIN,
                                         "password": self.admin_password})
            check(answer.status_code in (302, 303), f"sign-in answered {answer.status_code}")
            cookie = answer.cookies.get("sharon_session")
            media = requests.get(f"{base}/library/{self.resource_id}/media/video", timeout=10,
                                 headers={"Cookie": f"sharon_session={cookie}",
                                          "X-Forwarded-Proto": "https"})
            check(media.status_code == 200 and
                  hashlib.sha256(media.content).hexdigest() == self.uploaded["breathing.mp4"],
                  f"the restored video: {media.status_code}")
            ev.append(f"worker on 127.0.0.1:{port} with the restored database and media: "
                      f"admin signs in ({answer.status_code}); the video streams back "
                      f"byte for byte ({len(media.content)} bytes)")
            self.stop(f"worker {port}")
            ev.append("stopped")

    def upgrade(self) -> None:
        with self.report.step("Upgrade to release 2 (this working tree): backup, stop, "
                              "migrate, start") as ev:
            started = time.monotonic()
            release = self.make_release("r2-worktree", "worktree")
            ev.append(f"release 2 unpacked with its venv in {time.monotonic() - started:.0f} s "
                      "(while the site still ran)")
            check_out = self.flask("db", "current", extra={"SHARON_APP_DIR": str(release)})
            ev.append("0. the new release loads with these settings: SHARON_APP_DIR=<release 2> "
                      f"sharon-flask db current -> {check_out.stdout.strip().splitlines()[-1]}")
            out = run([str(self.sbin / "sharon-backup"), str(self.backups)], env=self.script_env(),
                      user=self.run_as)
            ev.append(f"1. backup: {out.stdout.strip().splitlines()[-1]}")
            down_at = time.monotonic()
            for port in self.ports:
                self.stop(f"worker {port}")
            gone = requests.get(self.url("/forums/"), verify=self.ca, timeout=5)
            check(gone.status_code == 502 and "999" in gone.text,
                  f"while stopped, nginx answered {gone.status_code}")
            ev.append(f"2. stop: both workers stopped (SIGTERM); nginx now answers "
                      f"{gone.status_code} with deploy/nginx/unavailable.html (crisis contacts)")
            self.switch_current(release)
            before = psql("SELECT version_num FROM alembic_version", self.db)
            out = self.flask("db", "upgrade")
            after = psql("SELECT version_num FROM alembic_version", self.db)
            ran = [line.split("Running upgrade ")[-1].split(",")[0] for line in
                   (out.stderr + out.stdout).splitlines() if "Running upgrade" in line]
            ev.append(f"3. migrate: current -> {release.name}; sharon-flask db upgrade: "
                      f"{before} -> {after}" + (f" ({'; '.join(ran)})" if ran else
                                                " (no new migrations)"))
            for port in self.ports:
                self.start_worker(port)
            up_at = time.monotonic()
            wait_for(lambda: requests.get(self.url("/healthz"), verify=self.ca,
                                          timeout=5).status_code == 200, 30,
                     "/healthz through nginx after the upgrade")
            ev.append(f"4. start: both workers up ({up_at - down_at:.1f} s without workers); "
                      f"/healthz through nginx -> 200 {time.monotonic() - up_at:.1f} s later "
                      "(nginx waits fail_timeout, 10 s, before retrying a worker it saw fail)")

    def after_upgrade(self) -> None:
        with self.report.step("After the upgrade: sign in, the Wall keeps its messages") as ev:
            self.session, _ = self.signed_in()
            client, got = self.wall_client(self.session, self.url())
            wait_for(lambda: client.transport() == "websocket", 10, "the websocket upgrade")
            ids = {m["id"] for m in got.get("message", [])}
            check({self.message_1, self.message_2} <= ids,
                  f"messages replayed on connecting: {sorted(ids)}")
            answer = client.call("send", {"body": "Rehearsal message three, after the upgrade."},
                                 namespace="/wall", timeout=10)
            client.disconnect()
            check(bool(answer and answer.get("ok")), f"send answered {answer}")
            ev.append(f"signed in; websocket; messages {self.message_1} and {self.message_2} "
                      f"replayed; a new one sent -> {answer}")
            media = self.session.get(self.url(f"/library/{self.resource_id}/media/video"),
                                     timeout=10, headers={"Range": "bytes=0-99"})
            check(media.status_code == 206 and len(media.content) == 100,
                  f"the video after the upgrade: {media.status_code}")
            ev.append("the library video still streams (Range request -> 206, 100 bytes)")

    def logs_step(self) -> None:
        with self.report.step("Logs: what the workers wrote") as ev:
            secrets_seen = []
            for port in self.ports:
                text = (self.logs / f"sharon-{port}.log").read_text()
                for secret in (self.admin_password, self.db_password,
                               read_env_file(self.env_file)["SHARON_SECRET_KEY"],
                               "Rehearsal message"):
                    if secret in text:
                        secrets_seen.append(f"{port}: {secret[:12]}…")
                starts = text.count("EventletDeprecationWarning")
                # Printed at every start: eventlet's deprecation notice (from its warning line
                # to "import eventlet") and Alembic's plugin lines; counted, not shown.
                rest, in_notice, plugins = [], False, 0
                for line in text.splitlines():
                    if "EventletDeprecationWarning" in line:
                        in_notice = True
                    elif in_notice and line.strip() == "import eventlet":
                        in_notice = False
                    elif "alembic.runtime.plugins:setup plugin" in line:
                        plugins += 1
                    elif not in_notice and line.strip():
                        rest.append(line)
                ev.append(f"worker {port}: {starts} start(s), each with eventlet's deprecation "
                          f"notice and Alembic's plugin lines ({plugins}); everything else:")
                for line in rest[:10]:
                    ev.append(f"  {line[:150]}")
            check(not secrets_seen, f"a password, key or message text in the logs: {secrets_seen}")
            ev.append("no password, secret key, database password or Wall message text in them")
            lines = self.access_lines()
            samples = ([x for x in lines if '"POST /sign-in' in x][:1]
                       + [x for x in lines if "/socket.io/" in x and '" 101 ' in x][:1])
            ev.append("nginx access lines (no query strings; the worker that answered):")
            ev.extend(f"  {line}" for line in samples)

    # --- cleanup ---

    def cleanup(self) -> None:
        print("Cleaning up:", flush=True)
        done: list[str] = []
        for name in list(self.processes):
            with contextlib.suppress(Exception):
                self.stop(name)
                done.append(f"stopped {name}")
        for database in self.databases:
            with contextlib.suppress(Exception):
                psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
                done.append(f"dropped database {database}")
        if self.role_made:
            with contextlib.suppress(Exception):
                psql(f"DROP ROLE IF EXISTS {self.db_role}")
                done.append(f"dropped role {self.db_role}")
        if self.user_made:
            with contextlib.suppress(Exception):
                run(["userdel", USER])
                done.append(f"removed user {USER}")
        if self.args.keep:
            done.append(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)
            done.append(f"removed {self.root}")
        print("  " + "; ".join(done), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source_from", default="HEAD~1",
                        help="the git revision installed as release 1 (default HEAD~1); "
                             "release 2 is this working tree")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    # Releases are readable by the sharon user, as with the ordinary umask of an admin's
    # shell (this machine's may be stricter).
    os.umask(0o022)
    return Rehearsal(args).go()


if __name__ == "__main__":
    sys.exit(main())
