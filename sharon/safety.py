"""Crisis contacts and watched words, shared by the forums, the Wall and the library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sharon import watchwords
from sharon.infra import kept_rules


@dataclass(frozen=True)
class CrisisContact:
    name: str
    how: str
    href: str
    when: str


CRISIS_CONTACTS: tuple[CrisisContact, ...] = (
    CrisisContact("Emergency services", "Call 999", "tel:999",
                  "If you or someone else is in immediate danger, or you have seriously hurt "
                  "yourself."),
    CrisisContact("NHS 111", "Call 111 and choose the mental health option", "tel:111",
                  "For urgent mental health help, 24 hours a day."),
    CrisisContact("Samaritans", "Call 116 123 (free)", "tel:116123",
                  "To talk to someone any time, day or night, about anything."),
    CrisisContact("Shout", "Text SHOUT to 85258", "sms:85258?body=SHOUT",
                  "If you would rather text than talk, 24 hours a day."),
)


# The NHS's own search for the 24-hour urgent mental health line where someone lives.
URGENT_LINE_FINDER = ("https://www.nhs.uk/service-search/mental-health/"
                      "find-an-urgent-mental-health-helpline")


# --- Watched words -----------------------------------------------------------------------
# Terms are written in the small language of sharon/watchwords.py and matched on
# normalised text; nothing typed into the watched-words page is ever run as a regular
# expression.

_SEVERITY = {"block": 3, "hold": 2, "flag": 1}
_LEVELS = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Verdict:
    action: str = "allow"          # allow | flag | hold | block
    risk: bool = False             # show crisis contacts to the author now
    matched: tuple[str, ...] = ()  # the terms found, for the moderators
    families: tuple[str, ...] = ()  # their families' keys
    level: str = ""                # the highest risk level among them
    message: str = ""              # a blocking family's kind message, if any
    # A watched meaning: (family, nearest example, score). It only ever flags.
    meaning: tuple[str, str, float] | None = None

    @property
    def allowed(self) -> bool:
        """Whether the words may be published (flagged or held ones are)."""
        return self.action != "block"

    def describe(self) -> str:
        """What the team is told about why the words were caught."""
        parts = []
        if self.matched:
            parts.append("watched words: " + ", ".join(self.matched))
        if self.meaning:
            family, example, score = self.meaning
            parts.append(f"close in meaning ({score:.2f}) to “{example}” ({family})")
        return "; ".join(parts)


ALLOW = Verdict()


def normalise(text: str) -> str:
    """Text as the watched words see it (sharon/watchwords.py)."""
    return watchwords.normalise(text)


def verdict_for(hits: Iterable[watchwords.Hit]) -> Verdict:
    """The strongest action among the rules matched, and what the moderators are told."""
    # The past, recovery, fiction or advice to others (watchwords.DISTANCING): a term that
    # would hold is flagged instead; one that would only flag lets the words through.
    hits = [hit for hit in hits if not (hit.distanced and hit.rule.action == "flag")]
    rules = sorted({hit.rule for hit in hits}, key=lambda r: r.term)
    if not rules:
        return ALLOW
    action = max((r.action for r in rules), key=lambda a: _SEVERITY[a])
    if action == "hold" and all(hit.distanced for hit in hits):
        action = "flag"  # the past, recovery or advice to others: a look, not a hold
    blocking = [r for r in rules if r.action == "block"]
    return Verdict(action=action, risk=any(r.risk for r in rules),
                   matched=tuple(r.term for r in rules),
                   families=tuple(sorted({r.family for r in rules if r.family})),
                   level=max((r.level for r in rules), key=lambda lv: _LEVELS.get(lv, 0)),
                   message=blocking[0].message if blocking else "")


def match_terms(text: str, words: Iterable[tuple[str, str, bool]]) -> Verdict:
    """Check text against (term, action, is_risk) rules outside any family (tests, tools)."""
    rules = tuple(watchwords.Rule(term, "", action, risk, "medium" if risk else "low")
                  for term, action, risk in words)
    return verdict_for(watchwords.matcher(rules).find(text))


# Kept by each worker for a few seconds (every Wall message and post is checked);
# a word added or removed on this worker counts at once, on others within seconds.
WATCHED_WORDS = "watched_words"  # a kept rule: moderation/words.py forgets it on each change


def _watched_words() -> tuple[watchwords.Rule, ...]:
    import sqlalchemy as sa

    from sharon.extensions import db
    from sharon.models import WatchedWord, WatchFamily

    rows = db.session.execute(
        sa.select(WatchedWord.term, WatchedWord.action, WatchedWord.is_risk,
                  WatchFamily.key, WatchFamily.level, WatchFamily.message)
        .outerjoin(WatchFamily, WatchFamily.id == WatchedWord.family_id)).all()
    return tuple(watchwords.Rule(r.term, r.key or "", r.action, r.is_risk,
                                 r.level or ("medium" if r.is_risk else "low"),
                                 r.message or "")
                 for r in rows)


def rules() -> tuple[watchwords.Rule, ...]:
    """The watched terms in force (kept for a few seconds)."""
    return kept_rules.get(WATCHED_WORDS, None, _watched_words)


def check(text: str) -> Verdict:
    """Check user text against the watched words in the database (forums and the Wall)."""
    return verdict_for(watchwords.matcher(rules()).find(text))


# --- Watched meanings ---------------------------------------------------------------------
# Example sentences per family, compared with each new post, reply and Wall message by a
# small sentence-embedding model inside SHaRON (sharon/meanings.py; no text leaves the
# server). A close match flags the words for the team with its score and the nearest
# example; it never holds or blocks by itself, and shows the author nothing.

WATCH_EXAMPLES = "watch_examples"  # a kept rule: a service that changes examples forgets it


def _examples() -> tuple[tuple[str, str], ...]:
    import sqlalchemy as sa

    from sharon.extensions import db
    from sharon.models import WatchExample, WatchFamily

    rows = db.session.execute(
        sa.select(WatchFamily.key, WatchExample.sentence)
        .join(WatchFamily, WatchFamily.id == WatchExample.family_id)
        .where(WatchFamily.is_risk.is_(True)).order_by(WatchExample.id)).all()
    return tuple((r.key, r.sentence) for r in rows)


# Ordinary talk the meaning check compares against too: words are flagged only when they
# are nearer in meaning to a risk example than to all of these, by ORDINARY_MARGIN
# (everyday idioms about death and violence, taking medication, recovery and the past,
# advice to others, films, grief, tiredness, ordinary goodbyes and giving things away).
ORDINARY = (
    "this traffic is killing me", "I could murder a cup of tea", "my phone is dying",
    "I'm dead tired after work", "that comedian killed me, I nearly died laughing",
    "I'd kill for a holiday right now", "I'm dying to see the new series",
    "my boss is going to kill me for being late", "the gym nearly finished me off",
    "I took my tablets this morning like the doctor said", "I've started a new medication",
    "I'm going to cut down on sugar", "I need to cut the grass this weekend",
    "a few years ago I was in a really dark place, but I'm doing well now",
    "therapy taught me how to cope with the bad days", "I used to self harm but I've been "
    "free of it for a long time", "it does get better, please hang on and reach out",
    "if you are feeling suicidal please call Samaritans", "please talk to your GP if you "
    "are struggling", "that film about suicide was hard to watch but really well done",
    "I lost my dad last year and I still miss him", "my nan passed away peacefully",
    "I'm exhausted, the kids were up all night", "I'm so fed up with this weather",
    "I'm going to end my membership at the gym", "we've decided to end the relationship",
    "I'm giving away some old clothes to the charity shop", "goodbye everyone, see you "
    "next week", "I've written a letter to my MP", "sorting out my will like a grown up",
    "I feel a bit low today but I'll be fine", "I'm anxious about my job interview",
    "had a panic attack on the bus but used my breathing", "work is hopeless this week",
    "I can't take any more of this noise from next door", "shoot me a message later",
    "the kids are driving me up the wall", "I'm worried my son is being bullied at school",
    "my daughter is a fussy eater", "I've lost a bit of weight since walking more",
    # recovery and the past (safe now)
    "I attempted suicide years ago and I'm so glad I'm still here",
    "it's been a year since my overdose and life is so much better",
    "I used to cut but I haven't for two years now", "my scars remind me how far I've come",
    "I was suicidal in my twenties and therapy helped me through",
    "a few years ago I didn't want to be here, now I'm grateful every day",
    "I've been self harm free for six months",
    "I'm in recovery from an eating disorder and eating well",
    "back when I was at my lowest I thought everyone would be better off without me, I don't now",
    "I used to feel like a burden but I've learned that isn't true",
    "my safety plan really works for me", "I used my coping strategies and the urge passed",
    "I had a wobble last night but I'm safe and doing ok",
    "feeling low today but I'm safe and I've got support",
    "I'm not suicidal, just really tired and sad", "I'm safe, just having a rough day",
    "I had intrusive thoughts but I know they're just thoughts",
    # signposting and advice to others
    "if you're thinking about suicide please call 116 123",
    "if you're in danger right now call 999",
    "if you feel like hurting yourself please reach out, you're not alone",
    "text SHOUT to 85258 if you can't talk",
    "ask people directly if they're thinking of suicide, it can save a life",
    "these are some signs that someone might be struggling",
    "the crisis team were really helpful when I rang them",
    "my GP referred me to the community mental health team",
    "please look after yourselves this christmas, it can be a hard time",
    "if your friend is self harming, try to listen without judging",
    # grief
    "my mum died last month and the house feels so empty",
    "we scattered grandad's ashes at the beach today",
    "it's the anniversary of my friend's suicide and I'm thinking of her",
    "losing someone to suicide leaves so many questions",
    "went to a funeral today, it was a lovely send off",
    "our cat died and the kids are heartbroken", "I'm writing a eulogy for my uncle",
    # books, films and the news
    "that documentary about suicide prevention was really moving",
    "the character in the book takes an overdose and it was handled sensitively",
    "I'm reading a novel where the main character dies at the end",
    "watched a war film last night, so many people die",
    # health and medication
    "my anxiety is through the roof before the dentist",
    "I couldn't sleep last night, my mind was racing",
    "I've got a cold and feel like death warmed up",
    "I'm on antidepressants and they're helping",
    "forgot my meds this morning, taking them now",
    "collecting my prescription from the chemist later",
    "the doctor upped my sertraline dose",
    "my mum is in hospital with pneumonia, really worried",
    # high places, giving things away, paperwork and leaving, all ordinary
    "I'm scared of heights so I didn't go up the tower",
    "walked along the cliff path today, beautiful views",
    "we went up the multi storey to watch the fireworks",
    "we're clearing out the loft and giving lots away",
    "selling my old bike, anyone interested", "sorting out the paperwork for the mortgage",
    "made a will now that we've had the baby",
    "we're moving house so we're decluttering everything",
    "logging off for the night, goodnight all",
    "taking a break from social media for a bit",
    "leaving the group as I'm doing much better now, thanks everyone",
    # idioms and everyday frustration
    "I'm quitting my job, I can't take it anymore",
    "I'm done with this diet, bring on the cake", "I give up trying to fix the boiler",
    "this exam is going to be the death of me", "I nearly died of embarrassment",
    "my feet are killing me after that walk",
    "I could have killed him for eating my chocolate",
    "my laptop died in the middle of my essay", "I'm going to cut my hours at work",
    "burnt my hand on the oven by accident", "fell off my bike and grazed my knee",
    "skipping lunch today because I had a big breakfast",
    "trying to eat more healthily and lose a bit of weight",
    # family and caring
    "my partner and I had a row but we've made up",
    "my daughter is struggling at school, any advice",
    "caring for my mum is exhausting but I love her",
    "my friend is going through a divorce, how can I help her",
    "my husband's depression is better since he started therapy",
    # ordinary days
    "took the dog for a long walk by the river", "I hope the bus comes soon, it's freezing",
    "I'm dead bored", "ready to go home after a long shift",
    "this CBT homework is doing my head in",
    "I feel rubbish today but tomorrow's another day",
    # more idioms, goodbyes for the night, nerves
    "scared to death of flying", "bored to death in this meeting",
    "frightened the life out of me", "going to hang the pictures up this weekend",
    "hung the washing on the line", "my mum will kill me if I forget",
    "my wife is going to kill me when she sees the bill",
    "goodnight all, thanks for the chat tonight", "bye for now everyone, take care",
    "I'm off, see you all tomorrow", "I'd rather die than sing karaoke",
    "I could sleep for a week", "I'm absolutely dead on my feet",
    "that film was so sad I cried my eyes out",
    "my heart is pounding before my presentation", "I'm so anxious I feel sick",
    "the hills on that walk nearly finished me off",
    # hyperbole and figures of speech about dying, killing, cutting and ending
    "I'm going to strangle my brother, he ate my leftovers", "I'll throttle him",
    "the suspense is killing me", "over my dead body", "dressed to kill tonight",
    "kill two birds with one stone", "my legs are dead after that run",
    "that was dead easy", "shoot me now, this meeting will never end",
    "I nearly had a heart attack when I saw the bill", "I'm hanging after last night",
    "hanging on for payday", "going to crash on the sofa", "I'm drowning in paperwork",
    "my head is going to explode", "I'm literally melting in this heat",
    "I'd jump at the chance", "I could eat a horse", "I'm starving, what's for tea",
    "dying for a brew", "we cut the cake at the party", "time to cut my losses",
    "cutting my own fringe was a mistake", "I'm burnt out at work",
    "burning the candle at both ends", "I'm done for the day", "end of the road for my "
    "old car", "saying goodbye to summer", "took two paracetamol for my headache",
    "the sleeping tablets from my GP help me get some rest", "doing a skydive for charity",
    "that horror film scared me half to death", "I'm sick to death of the roadworks",
)


def _meanings_on() -> bool:
    from flask import current_app

    return bool(current_app.config.get("SHARON_MEANING_CHECK"))


def meaning_match(text: str) -> tuple[str, str, float] | None:
    """The nearest example sentence, when the meaning check is on and one is close."""
    if not _meanings_on():
        return None
    try:
        from sharon import meanings
    except ImportError:  # the extra is not installed: the words page says so
        return None
    from flask import current_app

    examples = kept_rules.get(WATCH_EXAMPLES, None, _examples)
    if not examples:
        return None
    everything = examples + tuple((_ORDINARY, sentence) for sentence in ORDINARY)
    threshold = meaning_threshold(text, current_app.config["SHARON_MEANING_THRESHOLD"])
    found = meanings.check_async(text, everything, threshold, ordinary=_ORDINARY,
                                 margin=ORDINARY_MARGIN, by_sentence=True)
    if found is None or found.family == _ORDINARY:
        return None
    return found.family, found.example, round(found.score, 2)


_ORDINARY = "(ordinary)"

# How much nearer a text must be to its nearest risk example than to the nearest ORDINARY
# sentence (meanings.margin_rule), and how much higher the threshold is for text that
# speaks of the past, recovery, fiction or advice to others (watchwords.DISTANCING), which
# the small model barely tells from the present. Both chosen with bench/risk.py on its
# dev half only.
ORDINARY_MARGIN = 0.05
DISTANCED_RAISE = 0.20


def meaning_threshold(text: str, threshold: float) -> float:
    """The score a text's nearest example must reach: `threshold`, raised by
    DISTANCED_RAISE when the text is distanced ("I used to cut" needs a closer match
    than "I cut")."""
    if watchwords.distanced(watchwords.normalise(text)):
        return threshold + DISTANCED_RAISE
    return threshold


def check_all(text: str) -> Verdict:
    """The watched words, then (when on) the watched meanings, which can only add a flag."""
    verdict = check(text)
    if verdict.action != "allow":
        return verdict
    found = meaning_match(text)
    if found is None:
        return verdict
    return Verdict(action="flag", risk=False, families=(found[0],), level="medium",
                   meaning=found)


def meaning_status() -> str:
    """Whether the meaning check is on, in words for the watched-words page."""
    if not _meanings_on():
        return ("The meaning check is off, so only the watched words are checked "
                "(SHARON_MEANING_CHECK).")
    try:
        from sharon import meanings
    except ImportError:
        return ("The meaning check is switched on but not installed "
                "(pip install -e '.[meaning]'), so only the watched words are checked.")
    if not meanings.available():
        return ("The meaning check is switched on but its model did not load (see the log), "
                "so only the watched words are checked.")
    return ("The meaning check is on: new posts and Wall messages that are close in meaning "
            "to the example sentences below are flagged for the team (never held or blocked).")
