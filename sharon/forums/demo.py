"""Demo forum spaces and conversations that read like a real, kind community."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import categories, services
from sharon.models import Category, Network, User

SPACES = [
    # network slug, name, description, audience
    ("talking-therapies", "Welcome and introductions",
     "New here? Say hello and tell us as much or as little as you like.", "everyone"),
    ("talking-therapies", "Staying well day to day",
     "Routines, tools from therapy, and what keeps you steady.", "everyone"),
    ("talking-therapies", "Tough days and setbacks",
     "A gentle space for the harder days. You are not alone.", "everyone"),
    ("talking-therapies", "Small wins",
     "Share the good moments, however small they seem.", "everyone"),
    ("talking-therapies", "Carers' corner",
     "For relatives and carers: support for the people who support.", "carers"),
    ("talking-therapies", "Team room",
     "For the moderating team: handovers and questions.", "team"),
    ("perinatal", "New parents",
     "For people who had therapy around pregnancy and the early months.", "everyone"),
]

CONVERSATIONS = [
    ("Welcome and introductions", "demo_member", "chat",
     "Hello from a new member",
     "Hi everyone. I finished my course of therapy last month and my therapist suggested "
     "this place. I'm a bit nervous about posting, but here goes!",
     [("demo_peer", "Welcome! It's really good that you posted: that first one is always the "
                    "hardest. Take things at your own pace here."),
      ("demo_carer", "Hello and welcome. I'm here as a carer for my partner, and I've found "
                     "people really kind."),
      ("demo_member", "Thank you both, that's made me feel much more at ease.")]),
    ("Staying well day to day", "demo_member", "question",
     "How do you keep up the habits from therapy?",
     "During therapy I was really good at **behavioural activation** and keeping a thought "
     "record. Now that the sessions have ended I'm slipping. What helps you keep going?",
     [("demo_volunteer", "Something that helps a lot of people is attaching the habit to "
                         "something you already do, like writing one line in your thought "
                         "record while the kettle boils."),
      ("demo_peer", "I keep a short list on my fridge:\n\n- a walk, even 10 minutes\n- one "
                    "thing I'm looking forward to\n- text a friend\n\nOn bad days I only aim "
                    "for one of them.")]),
    ("Small wins", "demo_carer", "win",
     "We went to the seaside",
     "My partner suggested a day trip for the first time in ages. We had chips on the pier "
     "and it felt like old times.",
     [("demo_member", "This is lovely to read. Thank you for sharing it."),
      ("demo_clinician", "What a wonderful moment. Noticing and savouring days like this is "
                         "a real skill.")]),
    ("Carers' corner", "demo_carer", "support",
     "Looking after myself as well",
     "Does anyone else find it hard to make time for themselves? I feel guilty when I do.",
     [("demo_peer", "The guilt is so common. Looking after yourself is part of looking after "
                    "them, not time taken away.")]),
]


def seed(echo) -> None:  # type: ignore[no-untyped-def]
    """Idempotent: spaces and conversations are added only once."""
    users = {u.username: u for u in db.session.scalars(
        sa.select(User).where(User.username.like("demo_%")))}
    created = 0
    by_name: dict[str, Category] = {}
    for slug, name, description, audience in SPACES:
        network = db.session.scalar(sa.select(Network).where(Network.slug == slug))
        if network is None:
            continue
        category = db.session.scalar(sa.select(Category).where(
            Category.network_id == network.id, Category.name == name))
        if category is None:
            category = categories.create(None, network.id, name, description, len(by_name),
                                         audience)
            created += 1
        by_name[name] = category
    db.session.flush()
    for space, author, kind, title, body, replies in CONVERSATIONS:
        category = by_name.get(space)
        if category is None or category.thread_count:
            continue
        outcome = services.create_thread(users[author], category, title, kind, body)
        for replier, text in replies:
            services.reply(users[replier], outcome.post.thread, text)
    db.session.commit()
    echo(f"Forums: {len(by_name)} spaces ({created} new), with demo conversations.")
