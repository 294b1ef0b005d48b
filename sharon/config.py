"""Settings from SHARON_* environment variables, with safe defaults.

Every setting is listed in SETTINGS so that the README table and the code
cannot drift apart (tests/test_config.py checks the README against it).
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SHARON_ENV", "development", "`development` or `production` (secure cookies, HSTS, "
            "a secret key is required)."),
    Setting("SHARON_SECRET_KEY", None, "Signs sessions and CSRF tokens. Required in production; "
            "generated per start in development."),
    Setting("SHARON_DATABASE_URL", None, "SQLAlchemy URL. Default: a SQLite file "
            "`instance/sharon.sqlite3`. Production: `postgresql+psycopg2://…`."),
    Setting("SHARON_DB_POOL_SIZE", "10", "Database connections each worker process keeps open. "
            "Workers × (size + overflow) must stay under PostgreSQL's `max_connections`."),
    Setting("SHARON_DB_MAX_OVERFLOW", "5", "Connections a worker may open beyond the pool in a "
            "burst, closed again when returned."),
    Setting("SHARON_DB_POOL_TIMEOUT", "10", "Seconds a request waits in line for a connection "
            "(first come, first served) before it is answered with a 503 page."),
    Setting("SHARON_REDIS_URL", None, "When set: Socket.IO message queue and rate-limit store, so "
            "that several worker processes serve one site."),
    Setting("SHARON_ASYNC_MODE", "eventlet", "Socket.IO async mode: `eventlet`, `gevent` or "
            "`threading` (tests)."),
    Setting("SHARON_HOST", "127.0.0.1", "Address `python wsgi.py` listens on."),
    Setting("SHARON_PORT", "5000", "Port `python wsgi.py` listens on."),
    Setting("SHARON_MAX_CONNECTIONS", "4000", "Most connections one `python wsgi.py` serves at "
            "once (each Wall member holds one); more wait in the queue. Its open file limit is "
            "raised to fit."),
    Setting("SHARON_SOCKET_TIMEOUT", "60", "Seconds a connection may stay silent (idle, or "
            "sending a request too slowly) before `python wsgi.py` closes it. Open websockets "
            "follow Socket.IO's ping instead."),
    Setting("SHARON_PROXY_COUNT", "0", "Number of trusted reverse proxies in front (nginx: 1), "
            "for client addresses and scheme."),
    Setting("SHARON_ALLOWED_ORIGINS", None, "Extra origins allowed to open the Wall's socket, "
            "comma-separated (`https://host[:port]`; `http://` in development only). They are "
            "added: the site's own origin is always allowed. `*` is refused."),
    Setting("SHARON_INVITE_DAYS", "14", "Days before an invitation code expires."),
    Setting("SHARON_LOCKOUT_ATTEMPTS", "5", "Failed sign-ins in a row that pause an account."),
    Setting("SHARON_LOCKOUT_MINUTES", "15", "How long signing in to a paused account is refused."),
    Setting("SHARON_SIGNIN_RATE_LIMIT", "20 per minute;100 per hour", "Flask-Limiter limit on "
            "sign-in attempts per client address."),
    Setting("SHARON_POST_RATE_LIMIT", "10 per minute;60 per hour", "Limit on forum writes "
            "(new threads, replies and edits together) per signed-in person."),
    Setting("SHARON_REPORT_RATE_LIMIT", "10 per minute;30 per hour", "Limit on reports of forum "
            "posts per signed-in person."),
    Setting("SHARON_SESSION_LIFETIME_HOURS", "12", "Hours after signing in that a session ends "
            "however active it is (1 to 24); signing in again starts a new one. A session also "
            "ends after 12 hours without a visit."),
    Setting("SHARON_SMTP_HOST", None, "Mail server for password reset links. With "
            "`SHARON_MAIL_FROM` it turns on resetting by email; without, only the team's "
            "reset codes."),
    Setting("SHARON_SMTP_PORT", "587", "Mail server port."),
    Setting("SHARON_SMTP_USERNAME", None, "Mail server login, if it needs one."),
    Setting("SHARON_SMTP_PASSWORD", None, "Mail server password, if it needs one."),
    Setting("SHARON_MAIL_FROM", None, "The From address of SHaRON's mail, for example "
            "`SHaRON <sharon@trust.nhs.uk>`."),
    Setting("SHARON_SMTP_STARTTLS", "on", "`on` encrypts the connection with STARTTLS "
            "before logging in; `off` only for a relay on the same machine."),
    Setting("SHARON_ARGON2_PROFILE", "default", "`default` (RFC 9106 low-memory) or `fast` "
            "(tests only)."),
    Setting("SHARON_LOG_LEVEL", "INFO", "Python logging level."),
    Setting("SHARON_PREMODERATE_FIRST_POSTS", "0", "A member's or carer's first N forum posts "
            "wait for a moderator's approval (0: off)."),
    Setting("SHARON_MEDIA_DIR", None, "Folder for library uploads (videos, posters, captions). "
            "Default: `instance/media`. Keep it out of any web server's static folders."),
    Setting("SHARON_MAX_VIDEO_MB", "500", "Largest video upload accepted, in megabytes."),
    Setting("SHARON_MEANING_CHECK", "off", "`on` compares new posts and Wall messages with "
            "the watched families' example sentences inside SHaRON (needs `pip install -e "
            "'.[meaning]'`); a close match only flags."),
    Setting("SHARON_MEANING_THRESHOLD", "0.55", "How close in meaning (cosine, 0 to 1) a text "
            "must be to an example sentence to be flagged."),
    Setting("SHARON_LOCAL_CRISIS_LINE", None, "The service's own crisis line, shown first on the "
            "urgent help page, as `Name: number` (for example `Leeds crisis line: 0800 183 "
            "1485`). Without it, the national numbers only."),
    Setting("SHARON_SELF_REFERRAL_URL", None, "Where members refer themselves back to the "
            "service (an `https://` address), shown on the urgent help page and in each "
            "member's staying-well plan and way back."),
    Setting("SHARON_SERVICE_NAME", None, "The service that runs SHaRON (for example `Anytown "
            "Talking Therapies`), named on the urgent help and privacy pages. Without it: "
            "\"your talking therapy service\"."),
    Setting("SHARON_BANK_HOLIDAYS", "england-and-wales", "Whose bank holidays close the Wall: "
            "`england-and-wales`, `scotland` or `northern-ireland`."),
    Setting("SHARON_SITE_URL", None, "The site's own address (for example "
            "`https://sharon.example.nhs.uk`). Required in production: links in mail and in "
            "forum posts are built from it, never from a request's Host header, and requests "
            "naming any other host are refused."),
    Setting("SHARON_PRIVACY_CONTROLLER", None, "The data controller named on the privacy page "
            "(for example `Anytown NHS Foundation Trust`). Required in production."),
    Setting("SHARON_PRIVACY_CONTACT", None, "How to reach the data protection officer, shown "
            "on the privacy page: an email address or an `https://` address. Required in "
            "production."),
    Setting("SHARON_RETENTION_AUDIT_YEARS", "8", "Years the privacy page says the audit log "
            "and the team's moderation records (reports, risk flags, sanctions) are kept. "
            "SHaRON states it; your records process deletes them."),
    Setting("SHARON_RETENTION_LOG_DAYS", "30", "Days the privacy page says server logs (which "
            "hold device addresses) are kept. Set it to what your servers really do."),
    Setting("SHARON_ACCESSIBILITY_CONTACT", None, "Where to report an accessibility problem, "
            "shown on the accessibility statement: an email address or an `https://` "
            "address."),
    Setting("SHARON_ACCESSIBILITY_REVIEWED", None, "The date the accessibility statement was "
            "last reviewed, as `YYYY-MM-DD`, shown on it."),
)


class ConfigError(RuntimeError):
    """Raised when the settings cannot make a safe app."""


def _get(env: dict[str, str], name: str) -> str | None:
    for setting in SETTINGS:
        if setting.name == name:
            value = env.get(name)
            return value if value not in (None, "") else setting.default
    raise KeyError(name)


def _int(env: dict[str, str], name: str, low: int = 0, high: int | None = None) -> int:
    raw = _get(env, name)
    try:
        value = int(raw or "0")
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from exc
    if value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ConfigError(f"{name} must be at least {low}{upper}, not {value}.")
    return value


def _choice(env: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = _get(env, name) or ""
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


def _rate_limit(env: dict[str, str], name: str) -> str:
    from limits import parse_many

    value = _get(env, name) or ""
    try:
        parse_many(value)
    except ValueError as exc:
        example = next(s.default for s in SETTINGS if s.name == name)
        raise ConfigError(f"{name} must look like {example!r}, not {value!r}.") from exc
    return value


def _fraction(env: dict[str, str], name: str) -> float:
    raw = _get(env, name) or ""
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise ConfigError(f"{name} must be a number between 0 and 1, not {raw!r}.")
    return value


def _local_crisis_line(env: dict[str, str]) -> tuple[str, str] | None:
    """`Name: number` as (name, number), or None."""
    raw = _get(env, "SHARON_LOCAL_CRISIS_LINE")
    if not raw:
        return None
    name, _, number = raw.rpartition(":")
    if not name.strip() or not any(c.isdigit() for c in number):
        raise ConfigError("SHARON_LOCAL_CRISIS_LINE must look like 'Leeds crisis line: "
                          f"0800 183 1485', not {raw!r}.")
    return name.strip(), number.strip()


def _https_url(env: dict[str, str], name: str) -> str | None:
    value = _get(env, name)
    if value and not value.startswith("https://"):
        raise ConfigError(f"{name} must be an https:// address, not {value!r}.")
    return value or None


def _site(env: dict[str, str], production: bool) -> dict[str, Any]:
    """The site's own address: every link SHaRON sends out (a reset link in a mail, a
    resource's link in a forum post) is built from it, so a forged Host header cannot
    point one at someone else's site; and requests for other hosts get a 400."""
    value = _get(env, "SHARON_SITE_URL")
    if not value:
        if production:
            raise ConfigError("SHARON_SITE_URL is not set. In production SHaRON needs its own "
                              "address (for example https://sharon.example.nhs.uk) to build "
                              "the links it sends.")
        return {"SHARON_SITE_URL": None}
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or \
            parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError("SHARON_SITE_URL must be the site's address alone, like "
                          f"https://sharon.example.nhs.uk, not {value!r}.")
    if production and parts.scheme != "https":
        raise ConfigError(f"SHARON_SITE_URL must be an https:// address, not {value!r}.")
    return {"SHARON_SITE_URL": f"{parts.scheme}://{parts.netloc}",
            "SERVER_NAME": parts.netloc, "PREFERRED_URL_SCHEME": parts.scheme,
            # The site's name, and the workers' own for health checks on the host.
            "TRUSTED_HOSTS": [parts.hostname, "localhost", "127.0.0.1"]}


def _smtp(env: dict[str, str]) -> dict[str, Any]:
    """The mail settings; a From address without an @ would only fail at the first send."""
    sender = _get(env, "SHARON_MAIL_FROM")
    if sender and "@" not in sender:
        raise ConfigError(f"SHARON_MAIL_FROM must be an email address, not {sender!r}.")
    return {
        "SHARON_SMTP_HOST": _get(env, "SHARON_SMTP_HOST"),
        "SHARON_SMTP_PORT": _int(env, "SHARON_SMTP_PORT", 1, 65535),
        "SHARON_SMTP_USERNAME": _get(env, "SHARON_SMTP_USERNAME"),
        "SHARON_SMTP_PASSWORD": _get(env, "SHARON_SMTP_PASSWORD"),
        "SHARON_MAIL_FROM": sender,
        "SHARON_SMTP_STARTTLS": _choice(env, "SHARON_SMTP_STARTTLS", ("on", "off")) == "on",
    }


def _text(env: dict[str, str], name: str, longest: int = 200) -> str | None:
    """A name shown on a page: one line of ordinary text."""
    value = (_get(env, name) or "").strip()
    if len(value) > longest or any(not c.isprintable() for c in value):
        raise ConfigError(f"{name} must be one line of at most {longest} characters, not "
                          f"{value!r}.")
    return value or None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _contact(env: dict[str, str], name: str) -> tuple[str, str] | None:
    """An email address or an https:// page, as (what to show, link)."""
    value = (_get(env, name) or "").strip()
    if not value:
        return None
    if _EMAIL.fullmatch(value):
        return value, f"mailto:{value}"
    if value.startswith("https://") and len(value) > len("https://") and " " not in value:
        return value, value
    raise ConfigError(f"{name} must be an email address or an https:// address, not {value!r}.")


def _past_date(env: dict[str, str], name: str) -> date | None:
    raw = (_get(env, name) or "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or len(raw) != 10:
        raise ConfigError(f"{name} must be a date like 2026-03-31, not {raw!r}.")
    if value > date.today():
        raise ConfigError(f"{name} must not be in the future, not {raw!r}.")
    return value


_ORIGIN = re.compile(r"(https?)://[a-z0-9.-]+(:[0-9]{1,5})?")


def _origins(env: dict[str, str], production: bool) -> list[str]:
    """Extra socket origins. `*` would let any site open a socket with a member's cookie."""
    found = []
    for raw in (_get(env, "SHARON_ALLOWED_ORIGINS") or "").split(","):
        origin = raw.strip().lower().rstrip("/")
        if not origin:
            continue
        if "*" in origin:
            raise ConfigError("SHARON_ALLOWED_ORIGINS must list origins by name: '*' would let "
                              "any website open the Wall with a member's session.")
        match = _ORIGIN.fullmatch(origin)
        if match is None or (production and match.group(1) != "https"):
            scheme = "https://" if production else "https:// or http://"
            raise ConfigError(f"SHARON_ALLOWED_ORIGINS must list origins like "
                              f"{scheme}host[:port], comma-separated, not {raw.strip()!r}.")
        found.append(origin)
    return found


def _required_in_production(env: dict[str, str], names: tuple[str, ...]) -> None:
    missing = [name for name in names if not (_get(env, name) or "").strip()]
    if missing:
        raise ConfigError(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. In "
            "production the privacy page must name the data controller and how to reach its "
            "data protection officer (UK GDPR Article 13).")


def _development_key(instance: Path) -> str:
    """A random key kept in the instance folder, so that dev sessions survive restarts."""
    path = instance / "development-secret-key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    instance.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key)
    print(
        f"warning: SHARON_SECRET_KEY is not set; generated a development key in {path}. "
        "Never run production like this: set SHARON_ENV=production and SHARON_SECRET_KEY.",
        file=sys.stderr,
    )
    return key


def load(env: dict[str, str] | None = None, instance_path: str | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path or ROOT / "instance")
    sharon_env = _choice(env, "SHARON_ENV", ("development", "production"))
    production = sharon_env == "production"

    secret = _get(env, "SHARON_SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "SHARON_SECRET_KEY is not set. In production SHaRON needs a long random secret "
                "key, for example: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        secret = _development_key(instance)
    if production:
        _required_in_production(env, ("SHARON_PRIVACY_CONTROLLER", "SHARON_PRIVACY_CONTACT"))

    database_url = _get(env, "SHARON_DATABASE_URL") or f"sqlite:///{instance / 'sharon.sqlite3'}"
    redis_url = _get(env, "SHARON_REDIS_URL")
    async_mode = _choice(env, "SHARON_ASYNC_MODE", ("eventlet", "gevent", "threading"))

    return {
        "SHARON_ENV": sharon_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: a database error must never write an email or hash to the logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Read by sharon.infra.database, which turns them into the engine's pool options.
        "SHARON_DB_POOL_SIZE": _int(env, "SHARON_DB_POOL_SIZE", 1),
        "SHARON_DB_MAX_OVERFLOW": _int(env, "SHARON_DB_MAX_OVERFLOW"),
        "SHARON_DB_POOL_TIMEOUT": _int(env, "SHARON_DB_POOL_TIMEOUT", 1),
        "SHARON_REDIS_URL": redis_url,
        "SHARON_ASYNC_MODE": async_mode,
        "SHARON_HOST": _get(env, "SHARON_HOST"),
        "SHARON_PORT": _int(env, "SHARON_PORT", 1, 65535),
        "SHARON_MAX_CONNECTIONS": _int(env, "SHARON_MAX_CONNECTIONS", 10),
        "SHARON_SOCKET_TIMEOUT": _int(env, "SHARON_SOCKET_TIMEOUT", 1, 3600),
        "SHARON_PROXY_COUNT": _int(env, "SHARON_PROXY_COUNT"),
        "SHARON_ALLOWED_ORIGINS": _origins(env, production),
        "SHARON_INVITE_DAYS": _int(env, "SHARON_INVITE_DAYS", 1, 90),
        "SHARON_LOCKOUT_ATTEMPTS": _int(env, "SHARON_LOCKOUT_ATTEMPTS", 1),
        "SHARON_LOCKOUT_MINUTES": _int(env, "SHARON_LOCKOUT_MINUTES", 1),
        "SHARON_SIGNIN_RATE_LIMIT": _rate_limit(env, "SHARON_SIGNIN_RATE_LIMIT"),
        "SHARON_POST_RATE_LIMIT": _rate_limit(env, "SHARON_POST_RATE_LIMIT"),
        "SHARON_REPORT_RATE_LIMIT": _rate_limit(env, "SHARON_REPORT_RATE_LIMIT"),
        "SHARON_SESSION_LIFETIME_HOURS": _int(env, "SHARON_SESSION_LIFETIME_HOURS", 1, 24),
        **_smtp(env),
        "SHARON_ARGON2_PROFILE": _choice(env, "SHARON_ARGON2_PROFILE", ("default", "fast")),
        "SHARON_LOG_LEVEL": _get(env, "SHARON_LOG_LEVEL"),
        "SHARON_PREMODERATE_FIRST_POSTS": _int(env, "SHARON_PREMODERATE_FIRST_POSTS"),
        "SHARON_MEDIA_DIR": _get(env, "SHARON_MEDIA_DIR") or str(instance / "media"),
        # Kept in bytes too, so that tests can set a tiny limit.
        "SHARON_MAX_VIDEO_BYTES": _int(env, "SHARON_MAX_VIDEO_MB", 1) * 1024 * 1024,
        "SHARON_MEANING_CHECK": _choice(env, "SHARON_MEANING_CHECK", ("on", "off")) == "on",
        "SHARON_MEANING_THRESHOLD": _fraction(env, "SHARON_MEANING_THRESHOLD"),
        "SHARON_LOCAL_CRISIS_LINE": _local_crisis_line(env),
        "SHARON_SELF_REFERRAL_URL": _https_url(env, "SHARON_SELF_REFERRAL_URL"),
        "SHARON_SERVICE_NAME": _text(env, "SHARON_SERVICE_NAME"),
        "SHARON_BANK_HOLIDAYS": _choice(env, "SHARON_BANK_HOLIDAYS",
                                        ("england-and-wales", "scotland", "northern-ireland")),
        "SHARON_PRIVACY_CONTROLLER": _text(env, "SHARON_PRIVACY_CONTROLLER"),
        "SHARON_PRIVACY_CONTACT": _contact(env, "SHARON_PRIVACY_CONTACT"),
        "SHARON_RETENTION_AUDIT_YEARS": _int(env, "SHARON_RETENTION_AUDIT_YEARS", 1, 30),
        "SHARON_RETENTION_LOG_DAYS": _int(env, "SHARON_RETENTION_LOG_DAYS", 1, 400),
        "SHARON_ACCESSIBILITY_CONTACT": _contact(env, "SHARON_ACCESSIBILITY_CONTACT"),
        "SHARON_ACCESSIBILITY_REVIEWED": _past_date(env, "SHARON_ACCESSIBILITY_REVIEWED"),
        # Cookies: HttpOnly and SameSite=Lax always; Secure whenever served over HTTPS.
        "SESSION_COOKIE_NAME": "sharon_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        # A session ends after 12 hours without a visit. The cookie is re-signed when its
        # signature is an hour old (sessions.keep_session_alive), not on every response.
        # However busy, it also ends SHARON_SESSION_LIFETIME_HOURS after signing in.
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 4,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        # Uploads stream through their own view; this guards every other form.
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        **_site(env, production),
    }
