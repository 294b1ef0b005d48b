"""Site-wide page versions for ETags (sharon/infra/etags.py), bumped by triggers."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db


class PageVersion(db.Model):
    """A counter that database triggers bump whenever what it names changes: "people"
    (usernames, roles, statuses), "networks" (who belongs to which network) and "library"
    (resources, tags, networks).
    The app only reads it (migration e1a7b3c5d9f2)."""

    __tablename__ = "page_versions"

    name: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
