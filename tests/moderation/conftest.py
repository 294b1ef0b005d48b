"""The Wall's fixtures, for tests of moderation that reaches the Wall (mutes, duty), and
the forums' space, for the queue's cards about forum posts."""

from tests.forums.conftest import general, network  # noqa: F401
from tests.wall.conftest import open_clock, people, wall_client  # noqa: F401
