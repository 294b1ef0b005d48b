"""Demo library content: a few blogs and one small captioned video kept in the repo."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from sharon.config import ROOT
from sharon.extensions import db
from sharon.library import media, services
from sharon.models import Audience, Network, Resource, ResourceKind, User

DEMO_MEDIA = ROOT / "sharon" / "data" / "demo"

BLOGS = (
    ("Noticing the early signs", "How to spot the first signs of a dip, and what to do next.",
     "sleep, relapse prevention",
     "Most people who stay well after therapy have one thing in common: they **notice early**."
     "\n\n### Your early signs\n\n- sleeping much more, or much less\n- dropping things you "
     "enjoy\n- avoiding people\n\nWrite your own list and keep it somewhere you will see it."
     "\n\nIf you feel unsafe, call **999** or Samaritans on **116 123**."),
    ("Getting back to sleep", "Small, tested steps for nights when your mind will not stop.",
     "sleep",
     "If you have been awake for about twenty minutes, get up and do something calm in dim "
     "light, then go back to bed when you feel sleepy.\n\n1. Keep the same getting-up time\n"
     "2. Avoid screens in bed\n3. Write worries down before bed"),
    ("Looking after yourself as a carer", "Supporting someone is easier when you are "
     "supported too.", "carers, wellbeing",
     "Caring for someone after their therapy can be tiring. Make time for yourself, and talk "
     "to other carers in the carers' space."),
    ("Using your therapy toolkit", "A reminder of the skills you learned, and when to use them.",
     "relapse prevention, low mood",
     "Your toolkit might include *behavioural activation*, thought records and problem "
     "solving. Pick one small thing to do today."),
)
VIDEO_TITLE = "A one-minute breathing exercise"


def seed_library(author: User, media_dir: Path) -> int:
    """Add the demo resources that are missing; returns how many were added."""
    networks = [n.id for n in db.session.scalars(sa.select(Network))]
    added = 0
    for title, summary, tags, body in BLOGS:
        if _exists(title):
            continue
        audience = Audience.CARERS if "carers" in tags else Audience.BOTH
        blog = services.create(author, ResourceKind.BLOG, services.ResourceInput(
            title=title, summary=summary, body=body, tags=tags, audience=audience,
            network_ids=networks))
        services.publish(author, blog)
        added += 1
    if not _exists(VIDEO_TITLE):
        video = services.create(author, ResourceKind.VIDEO, services.ResourceInput(
            title=VIDEO_TITLE, summary="A short guided breath to steady yourself.",
            body="Try this when you notice your breathing speeding up.",
            transcript=(DEMO_MEDIA / "breathing.txt").read_text(), tags="anxiety, wellbeing",
            network_ids=networks))
        for slot, name in ((media.Slot.VIDEO, "breathing.mp4"),
                           (media.Slot.POSTER, "poster.png"),
                           (media.Slot.CAPTIONS, "breathing.vtt")):
            stored = media.store_copy(DEMO_MEDIA / name, media_dir, slot)
            duration = media.mp4_duration(stored.path) if slot is media.Slot.VIDEO else None
            services.attach(author, video, slot, stored, duration)
        services.publish(author, video)
        added += 1
    return added


def _exists(title: str) -> bool:
    return db.session.scalar(sa.select(Resource.id).where(Resource.title == title)) is not None
