"""Typed SQLAlchemy models, one module per area; imported here so Alembic sees them all."""

from sharon.models.accounts import (
    Network,
    PasswordReset,
    RetiredUsername,
    SignInThrottle,
    User,
    user_networks,
)
from sharon.models.invitations import Invitation, InvitationStatus, invitation_networks
from sharon.models.roles import Role, Status

__all__ = [
    "Invitation",
    "InvitationStatus",
    "Network",
    "PasswordReset",
    "RetiredUsername",
    "Role",
    "SignInThrottle",
    "Status",
    "User",
    "invitation_networks",
    "user_networks",
]
from sharon.models.moderation import (  # noqa: E402
    Audit,
    ItemKind,
    Level,
    ModerationAction,
    ModerationItem,
    RiskLevel,
    WatchedWord,
    WatchExample,
    WatchFamily,
    WordAction,
)

__all__ += ["Audit", "ItemKind", "Level", "ModerationAction", "ModerationItem", "RiskLevel",
            "WatchedWord", "WatchExample", "WatchFamily", "WordAction"]
from sharon.models.forums import (  # noqa: E402
    Category,
    CategoryAudience,
    MutedWord,
    Notification,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    Report,
    Thread,
    ThreadFollow,
    ThreadKind,
    ThreadRead,
)

__all__ += ["Category", "CategoryAudience", "MutedWord", "Notification", "Post", "PostRevision",
            "PostStatus", "Reaction", "Report", "Thread", "ThreadFollow", "ThreadKind",
            "ThreadRead"]
from sharon.models.wall import (  # noqa: E402
    MessageStatus,
    WallClosure,
    WallDuty,
    WallHours,
    WallMessage,
    WallSession,
    WallStream,
)

__all__ += ["MessageStatus", "WallClosure", "WallDuty", "WallHours", "WallMessage",
            "WallSession", "WallStream"]
from sharon.models.library import (  # noqa: E402
    Audience,
    Resource,
    ResourceFeedback,
    ResourceKind,
    ResourceStatus,
    SavedResource,
    Tag,
    resource_networks,
    resource_tags,
)

__all__ += ["Audience", "Resource", "ResourceFeedback", "ResourceKind", "ResourceStatus",
            "SavedResource", "Tag", "resource_networks", "resource_tags"]
from sharon.models.submissions import Submission  # noqa: E402

__all__ += ["Submission"]
from sharon.models.sanctions import Sanction, SanctionKind  # noqa: E402

__all__ += ["Sanction", "SanctionKind"]
from sharon.models.inbox import Conversation, ConversationMessage  # noqa: E402

__all__ += ["Conversation", "ConversationMessage"]
from sharon.models.scheduling import ScheduledJob  # noqa: E402

__all__ += ["ScheduledJob"]
from sharon.models.staying_well import (  # noqa: E402
    CheckIn,
    CheckInSettings,
    PlanItem,
    PlanKind,
)

__all__ += ["CheckIn", "CheckInSettings", "PlanItem", "PlanKind"]
from sharon.models.versions import PageVersion  # noqa: E402

__all__ += ["PageVersion"]
