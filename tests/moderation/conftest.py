"""The Wall's fixtures, for tests of moderation that reaches the Wall (mutes, duty)."""

from tests.wall.conftest import open_clock, people, wall_client  # noqa: F401
