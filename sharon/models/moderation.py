"""Watched words, the moderation queue and the audit log, shared by every area."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.models.accounts import User
from sharon.models.base import UTCDateTime, utcnow


class WordAction(StrEnum):
    FLAG = "flag"    # published; a risk flag goes to the queue
    HOLD = "hold"    # waits for a moderator's approval
    BLOCK = "block"  # refused


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def expected(self) -> str:
        """The response the team promises at this level, written beside it."""
        return RISK_EXPECTED[self]

    @property
    def within(self) -> timedelta:
        """How long it may wait, while the team is on duty, before it stands out."""
        return RISK_WITHIN[self]


RISK_EXPECTED = {
    RiskLevel.HIGH: "High: a clinician sees it within 15 minutes while the team is on duty.",
    RiskLevel.MEDIUM: "Medium: someone in the team sees it within 1 hour while the team is "
                      "on duty.",
    RiskLevel.LOW: "Low: someone in the team sees it within 4 hours of being on duty.",
}
RISK_WITHIN = {RiskLevel.HIGH: timedelta(minutes=15), RiskLevel.MEDIUM: timedelta(hours=1),
               RiskLevel.LOW: timedelta(hours=4)}


class WatchFamily(db.Model):
    """A family of watched terms (intent, self-harm, farewells…): what happens when one of
    its terms matches, and how urgent it is. Its terms copy its action."""

    __tablename__ = "watch_families"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    action: so.Mapped[str] = so.mapped_column(sa.String(10))
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default=RiskLevel.MEDIUM)
    is_risk: so.Mapped[bool] = so.mapped_column(default=True)
    # Shown to the author when a term of a blocking family refuses their words.
    message: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)

    words: so.Mapped[list[WatchedWord]] = so.relationship(
        back_populates="family", order_by="WatchedWord.term_key")
    examples: so.Mapped[list[WatchExample]] = so.relationship(
        back_populates="family", order_by="WatchExample.id", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("action IN ('flag','hold','block')", name="action_known"),
        sa.CheckConstraint("level IN ('low','medium','high')", name="level_known"),
    )


class WatchExample(db.Model):
    """An example sentence of a family, for the meaning check (which only ever flags)."""

    __tablename__ = "watch_examples"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    family_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("watch_families.id", ondelete="CASCADE"))
    sentence: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    family: so.Mapped[WatchFamily] = so.relationship(back_populates="examples")


class WatchedWord(db.Model):
    __tablename__ = "watched_words"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # In the term language of sharon/watchwords.py ("cut+ myself", "want+ ... die").
    term: so.Mapped[str] = so.mapped_column(sa.String(500))
    term_key: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    family_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("watch_families.id", ondelete="CASCADE"))
    action: so.Mapped[str] = so.mapped_column(sa.String(10))
    # A risk term shows the author crisis contacts straight away.
    is_risk: so.Mapped[bool] = so.mapped_column(default=False)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    family: so.Mapped[WatchFamily | None] = so.relationship(back_populates="words")

    __table_args__ = (
        sa.CheckConstraint("action IN ('flag','hold','block')", name="action_known"),
    )


class ItemKind(StrEnum):
    REPORT = "report"        # a person reported it
    RISK = "risk"            # a watched risk word matched
    HELD = "held"            # waiting for approval (watched word, pre-moderation, no one on duty)
    CONVERSATION = "conversation"  # a member asked the team something (sharon/inbox)


class Outcome(StrEnum):
    """What a moderator did about an item, chosen from a fixed list when closing it."""

    NO_ACTION = "no_action"
    CONTENT_EDITED = "content_edited"
    CONTENT_HIDDEN = "content_hidden"
    MEMBER_CONTACTED = "member_contacted"
    MEMBER_WARNED = "member_warned"
    MEMBER_MUTED = "member_muted"
    MEMBER_SUSPENDED = "member_suspended"
    ESCALATED = "escalated_to_clinician"
    REFERRED = "referred_to_services"

    @property
    def label(self) -> str:
        """The choice as the closing form shows it."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.NO_ACTION: "No action needed", Outcome.CONTENT_EDITED: "Content edited",
    Outcome.CONTENT_HIDDEN: "Content hidden", Outcome.MEMBER_CONTACTED: "Member contacted",
    Outcome.MEMBER_WARNED: "Member warned", Outcome.MEMBER_MUTED: "Member muted",
    Outcome.MEMBER_SUSPENDED: "Member suspended",
    Outcome.ESCALATED: "Escalated to a clinician",
    Outcome.REFERRED: "Referred to the member's service or emergency services",
}


class Level(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


LEVEL_ORDER = {Level.URGENT: 0, Level.HIGH: 1, Level.NORMAL: 2}


class ModerationItem(db.Model):
    """One thing in the moderation queue. `subject_type` names the area: post, wall_message…"""

    __tablename__ = "moderation_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default=Level.NORMAL)
    # 0 urgent, 1 high, 2 normal: sorts the queue without a CASE expression.
    priority: so.Mapped[int] = so.mapped_column(default=2)
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(30))
    subject_id: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    detail: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")
    excerpt: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    reporter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject_author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    handled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    handled_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    outcome: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # Risk flags only: low, medium or high (RiskLevel), set by the detector, changeable
    # by any moderator.
    risk_level: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    # Who is working it, and since when (renewed by each thing they do; lapses when idle).
    claimed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The first time anyone in the team took it up (claimed, escalated or closed it).
    first_response_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # A peer supporter or volunteer passed a risk flag to the clinicians.
    escalated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # When the team was alerted that this risk flag had waited past its level's time
    # (once, by whichever worker got there first).
    overdue_alerted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    reporter: so.Mapped[User | None] = so.relationship(foreign_keys=[reporter_id])
    subject_author: so.Mapped[User | None] = so.relationship(foreign_keys=[subject_author_id])
    handled_by: so.Mapped[User | None] = so.relationship(foreign_keys=[handled_by_id])
    claimed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[claimed_by_id])

    __table_args__ = (
        sa.Index("ix_moderation_items_open", "handled_at", "priority", "created_at"),
        sa.Index("ix_moderation_items_subject", "subject_type", "subject_id"),
        sa.CheckConstraint("risk_level IN ('low','medium','high')", name="risk_level_known"),
    )


class Audit(StrEnum):
    """Every kind of line in the audit log, one name each: `<thing>_<verb>`.

    `moderation.record` takes only these, so a governance review can list every kind of
    change the team can make from this one place.
    """

    # People, networks and invitations.
    ACCOUNT_CREATE = "account_create"
    ACCOUNT_STATUS_SET = "account_status_set"  # older lines: suspensions are now sanctions
    ACCOUNT_ROLE_SET = "account_role_set"
    ACCOUNT_DELETE = "account_delete"  # by its owner, from My data (actor: none, it is gone)
    ACCOUNT_NETWORKS_SET = "account_networks_set"
    NETWORK_CREATE = "network_create"
    INVITATION_ISSUE = "invitation_issue"
    INVITATION_REVOKE = "invitation_revoke"
    PASSWORD_RESET_ISSUE = "password_reset_issue"  # a code from the team
    PASSWORD_RESET_SEND = "password_reset_send"  # a link sent by mail
    PASSWORD_RESET_USE = "password_reset_use"  # the person chose a new password
    # The moderation queue and the watched words.
    QUEUE_ITEM_HANDLE = "queue_item_handle"
    QUEUE_ITEM_CLAIM = "queue_item_claim"
    QUEUE_ITEM_RELEASE = "queue_item_release"
    QUEUE_ITEM_ESCALATE = "queue_item_escalate"
    QUEUE_ITEM_LEVEL_SET = "queue_item_level_set"
    # The sanctions ladder, for the whole site (a Wall mute is one).
    SANCTION_GIVE = "sanction_give"
    SANCTION_LIFT = "sanction_lift"
    # Ask the team.
    CONVERSATION_START = "conversation_start"
    CONVERSATION_REPLY = "conversation_reply"
    WATCHED_WORD_ADD = "watched_word_add"
    WATCHED_WORD_REMOVE = "watched_word_remove"
    # Forums.
    CATEGORY_CREATE = "category_create"
    CATEGORY_UPDATE = "category_update"
    POST_AUTO_HIDE = "post_auto_hide"
    POST_HIDE = "post_hide"
    POST_UNHIDE = "post_unhide"
    POST_APPROVE = "post_approve"
    POST_REJECT = "post_reject"
    THREAD_HIDE = "thread_hide"
    THREAD_UNHIDE = "thread_unhide"
    THREAD_LOCK = "thread_lock"
    THREAD_UNLOCK = "thread_unlock"
    THREAD_PIN = "thread_pin"
    THREAD_UNPIN = "thread_unpin"
    THREAD_MOVE = "thread_move"
    # Library.
    RESOURCE_CREATE = "resource_create"
    RESOURCE_UPDATE = "resource_update"
    RESOURCE_PUBLISH = "resource_publish"
    RESOURCE_SCHEDULE = "resource_schedule"
    RESOURCE_UNPUBLISH = "resource_unpublish"
    RESOURCE_FILE_UPLOAD = "resource_file_upload"
    RESOURCE_DELETE = "resource_delete"
    # The Wall.
    WALL_MESSAGE_HIDE = "wall_message_hide"
    WALL_MESSAGE_UNHIDE = "wall_message_unhide"
    WALL_MESSAGE_PIN = "wall_message_pin"
    WALL_MESSAGE_UNPIN = "wall_message_unpin"
    WALL_MESSAGE_APPROVE = "wall_message_approve"
    WALL_MESSAGE_REJECT = "wall_message_reject"
    WALL_ALERT_ACKNOWLEDGE = "wall_alert_acknowledge"
    WALL_DUTY_START = "wall_duty_start"
    WALL_DUTY_END = "wall_duty_end"
    WALL_SESSION_ADD = "wall_session_add"
    WALL_SESSION_REMOVE = "wall_session_remove"
    WALL_CLOSURE_ADD = "wall_closure_add"
    WALL_CLOSURE_REMOVE = "wall_closure_remove"
    WALL_HOURS_SET = "wall_hours_set"

    @property
    def label(self) -> str:
        """What happened, in plain words for a history list ("published", "muted on the Wall")."""
        return AUDIT_LABELS[self]

    @classmethod
    def of(cls, stored: str) -> Audit | None:
        """The kind of a stored line, lines written under an older name included."""
        try:
            return cls(LEGACY_AUDIT_NAMES.get(stored, stored))
        except ValueError:
            return None


AUDIT_LABELS = {
    Audit.ACCOUNT_CREATE: "account created", Audit.ACCOUNT_STATUS_SET: "status changed",
    Audit.ACCOUNT_ROLE_SET: "role changed", Audit.ACCOUNT_NETWORKS_SET: "networks changed",
    Audit.ACCOUNT_DELETE: "account deleted by its owner",
    Audit.NETWORK_CREATE: "network added", Audit.INVITATION_ISSUE: "invitation issued",
    Audit.INVITATION_REVOKE: "invitation withdrawn",
    Audit.PASSWORD_RESET_ISSUE: "password reset code issued",
    Audit.PASSWORD_RESET_SEND: "password reset link sent by mail",
    Audit.PASSWORD_RESET_USE: "password reset with a code or link",
    Audit.QUEUE_ITEM_HANDLE: "handled",
    Audit.QUEUE_ITEM_CLAIM: "claimed", Audit.QUEUE_ITEM_RELEASE: "claim released",
    Audit.QUEUE_ITEM_ESCALATE: "escalated to the clinicians",
    Audit.QUEUE_ITEM_LEVEL_SET: "risk level changed",
    Audit.SANCTION_GIVE: "sanctioned", Audit.SANCTION_LIFT: "sanction lifted",
    Audit.CONVERSATION_START: "conversation started by the team",
    Audit.CONVERSATION_REPLY: "team replied",
    Audit.WATCHED_WORD_ADD: "watched word added",
    Audit.WATCHED_WORD_REMOVE: "watched word removed",
    Audit.CATEGORY_CREATE: "category added", Audit.CATEGORY_UPDATE: "category changed",
    Audit.POST_AUTO_HIDE: "hidden after reports", Audit.POST_HIDE: "hidden",
    Audit.POST_UNHIDE: "shown again", Audit.POST_APPROVE: "approved",
    Audit.POST_REJECT: "rejected", Audit.THREAD_HIDE: "hidden",
    Audit.THREAD_UNHIDE: "shown again", Audit.THREAD_LOCK: "locked",
    Audit.THREAD_UNLOCK: "unlocked", Audit.THREAD_PIN: "pinned", Audit.THREAD_UNPIN: "unpinned",
    Audit.THREAD_MOVE: "moved", Audit.RESOURCE_CREATE: "created",
    Audit.RESOURCE_UPDATE: "updated", Audit.RESOURCE_PUBLISH: "published",
    Audit.RESOURCE_SCHEDULE: "scheduled", Audit.RESOURCE_UNPUBLISH: "unpublished",
    Audit.RESOURCE_FILE_UPLOAD: "file uploaded", Audit.RESOURCE_DELETE: "deleted",
    Audit.WALL_MESSAGE_HIDE: "hidden", Audit.WALL_MESSAGE_UNHIDE: "shown again",
    Audit.WALL_MESSAGE_PIN: "pinned", Audit.WALL_MESSAGE_UNPIN: "unpinned",
    Audit.WALL_MESSAGE_APPROVE: "approved", Audit.WALL_MESSAGE_REJECT: "rejected",
    Audit.WALL_ALERT_ACKNOWLEDGE: "alert acknowledged", Audit.WALL_DUTY_START: "went on duty",
    Audit.WALL_DUTY_END: "went off duty", Audit.WALL_SESSION_ADD: "extra Wall session added",
    Audit.WALL_SESSION_REMOVE: "extra Wall session removed",
    Audit.WALL_CLOSURE_ADD: "Wall closure added", Audit.WALL_CLOSURE_REMOVE: "Wall closure removed",
    Audit.WALL_HOURS_SET: "Wall hours changed",
}

# Names written before Audit gave every line one convention. The log is append-only, so
# old lines keep their names; readers map them with Audit.of. (An upload was
# "resource_<slot>_uploaded"; it is now one kind with the slot in its detail.)
LEGACY_AUDIT_NAMES = {
    "queue_handled": "queue_item_handle", "auto_hide": "post_auto_hide",
    "resource_created": "resource_create", "resource_updated": "resource_update",
    "resource_published": "resource_publish", "resource_scheduled": "resource_schedule",
    "resource_unpublished": "resource_unpublish", "resource_deleted": "resource_delete",
    "resource_video_uploaded": "resource_file_upload",
    "resource_captions_uploaded": "resource_file_upload",
    "resource_poster_uploaded": "resource_file_upload",
    "hide": "wall_message_hide", "unhide": "wall_message_unhide",
    "pin": "wall_message_pin", "unpin": "wall_message_unpin",
    "approve": "wall_message_approve", "reject": "wall_message_reject",
    "acknowledge_alert": "wall_alert_acknowledge", "mute": "sanction_give",
    "unmute": "sanction_lift", "duty_on": "wall_duty_start", "duty_off": "wall_duty_end",
    # Wall mutes became the site's one mute, a rung of the sanctions ladder.
    "wall_mute_add": "sanction_give", "wall_mute_end": "sanction_lift",
}


class ModerationAction(db.Model):
    """Append-only audit log: who did what to what, when and why. Never updated or deleted."""

    __tablename__ = "moderation_actions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(30))
    subject_id: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    detail: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    actor: so.Mapped[User | None] = so.relationship()

    @property
    def kind(self) -> Audit | None:
        """What kind of line this is, lines written under an older name included."""
        return Audit.of(self.action)

    __table_args__ = (
        sa.Index("ix_moderation_actions_subject", "subject_type", "subject_id"),
    )
