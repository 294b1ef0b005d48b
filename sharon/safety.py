"""Crisis contacts, shown on every page; watched words arrive with the forums."""

from __future__ import annotations

from dataclasses import dataclass


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
