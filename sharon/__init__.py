"""SHaRON: the app factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from sharon import config as config_module
from sharon.config import ROOT


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, then `config` (tests pass overrides here)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(config_module.load(instance_path=app.instance_path))
    if config:
        app.config.update(config)
    configure_logging(app)
    configure_proxy(app)
    configure_database(app)
    configure_extensions(app)
    configure_blueprints(app)
    configure_security(app)
    configure_errorhandlers(app)
    configure_templates(app)
    configure_jobs(app)
    configure_cli(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log at the level SHARON_LOG_LEVEL sets."""
    logging.basicConfig(level=app.config["SHARON_LOG_LEVEL"])


def configure_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* only from the number of proxies the trust says it runs."""
    count = app.config["SHARON_PROXY_COUNT"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def configure_database(app: Flask) -> None:
    """The engine, its pool and per-database settings."""
    from sharon.infra import database

    database.init_app(app)


def configure_extensions(app: Flask) -> None:
    """Flask-Login, CSRF, the limiter, Socket.IO and the realtime handlers, bound to this app."""
    from sharon.extensions import (
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        rate_limit_settings,
        socketio,
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    for key, value in rate_limit_settings(app.config["RATELIMIT_STORAGE_URI"]).items():
        app.config.setdefault(key, value)
    limiter.init_app(app)
    from sharon.infra import sessions

    sessions.init_app(app, login_manager)
    from sharon.realtime import origins

    socketio.init_app(
        app,
        async_mode=app.config["SHARON_ASYNC_MODE"],
        # Always named: the socketio object outlives each app built (tests build many).
        client_manager=_client_manager(app.config["SHARON_REDIS_URL"]),
        # The site's own origin, plus any SHARON_ALLOWED_ORIGINS adds.
        cors_allowed_origins=origins.checker(app.config["SHARON_ALLOWED_ORIGINS"],
                                             app.config["SHARON_PROXY_COUNT"]),
        logger=False,
        engineio_logger=False,
        manage_session=False,
    )
    from sharon import realtime
    from sharon.realtime import live

    realtime.init_app()
    live.register()
    from sharon.wall import handlers as wall_handlers
    from sharon.wall import log_filter as wall_log_filter
    from sharon.wall import presence as wall_presence

    wall_handlers.register()
    wall_presence.init_app(app)
    wall_log_filter.install()
    from sharon.wall.packet_guard import PollingPacketGuard

    app.wsgi_app = PollingPacketGuard(app.wsgi_app)  # type: ignore[method-assign]


def _client_manager(redis_url: str | None) -> Any:
    """Redis between workers when configured (with the Wall's outage handling), else this
    process alone."""
    if not redis_url:
        import socketio as python_socketio

        return python_socketio.Manager()
    from sharon.wall.degraded import queue_back, queue_lost
    from sharon.wall.queue import WallQueue

    return WallQueue(redis_url, on_lost=queue_lost, on_back=queue_back)


def configure_blueprints(app: Flask) -> None:
    """Every area's pages, the subjects each area puts in the moderation queue, and each
    area's part in a person's data (export and deletion)."""
    from sharon.infra import bounds

    bounds.init_app(app)  # before any rule is added: every <int:…> is bounded
    from sharon.account.views import bp as account_bp
    from sharon.admin.views import bp as admin_bp
    from sharon.auth.views import bp as auth_bp
    from sharon.forums import mydata as forum_data
    from sharon.forums import subjects as forum_subjects
    from sharon.forums.views import bp as forums_bp
    from sharon.inbox import mydata as inbox_data
    from sharon.inbox import subjects as inbox_subjects
    from sharon.inbox.views import bp as inbox_bp
    from sharon.invitations.views import bp as invitations_bp
    from sharon.library import mydata as library_data
    from sharon.library.views import bp as library_bp
    from sharon.moderation.views import bp as moderation_bp
    from sharon.mydata import accounts as account_data
    from sharon.mydata.views import bp as mydata_bp
    from sharon.pages.views import bp as pages_bp
    from sharon.sanctions import mydata as sanction_data
    from sharon.sanctions.views import bp as sanctions_bp
    from sharon.staying_well import dashboard as staying_well_dashboard
    from sharon.staying_well import mydata as staying_well_data
    from sharon.staying_well.views import bp as staying_well_bp
    from sharon.wall import mydata as wall_data
    from sharon.wall import subjects as wall_subjects
    from sharon.wall.views import bp as wall_bp

    forum_subjects.register()
    wall_subjects.register()
    inbox_subjects.register()
    staying_well_dashboard.register()
    for area_data in (account_data, forum_data, library_data, wall_data, inbox_data,
                      sanction_data, staying_well_data):
        area_data.register()
    for blueprint in (pages_bp, auth_bp, account_bp, invitations_bp, admin_bp, forums_bp,
                      library_bp, wall_bp, moderation_bp, inbox_bp, sanctions_bp, mydata_bp,
                      staying_well_bp):
        app.register_blueprint(blueprint)


def configure_security(app: Flask) -> None:
    """Security headers and cookie settings."""
    from sharon.infra import security

    security.init_app(app)


def configure_errorhandlers(app: Flask) -> None:
    """Plain, kind error pages."""
    from sharon.infra import errors

    errors.init_app(app)


def configure_templates(app: Flask) -> None:
    """Template globals, filters and the remembered pieces, and the header's counts."""
    from sharon.forums.queries import unread_notifications
    from sharon.infra import templating
    from sharon.moderation import alerts

    templating.init_app(app)
    templating.HEADER_COUNTS.update(unread=unread_notifications,
                                    urgent=lambda _user: alerts.urgent_count())


def configure_jobs(app: Flask) -> None:
    """Each area's timed work, registered with the scheduler (sharon/infra/scheduler.py),
    which the serving process starts (wsgi.py)."""
    from sharon.moderation import jobs as moderation_jobs  # noqa: F401
    from sharon.sanctions import jobs as sanction_jobs  # noqa: F401
    from sharon.staying_well import jobs as staying_well_jobs  # noqa: F401


def configure_cli(app: Flask) -> None:
    """SHaRON's flask commands."""
    from sharon import cli

    cli.init_app(app)
