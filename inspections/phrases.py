"""English phrases the domain's messages are made of: who someone is, with the right article.

One place for them, so that a message reads "An enterprise officer may not …" rather than "A enterprise_officer",
and so that they can be translated together with the messages that use them.
"""
from __future__ import annotations

from inspections.enums import Role

ROLE_NOUNS = {
    Role.INSPECTOR: "inspector",
    Role.ENTERPRISE_OFFICER: "enterprise officer",
    Role.REVIEWER: "reviewer",
    Role.ADMIN: "admin",
}


def with_article(noun: str, *, capital: bool = False) -> str:
    """``noun`` after "a" or "an", by its first letter (enough for the nouns of this domain: no "hour", "user")."""
    article = "an" if noun[:1].lower() in "aeiou" else "a"
    return f"{article.capitalize() if capital else article} {noun}"


def a_role(role: str, *, capital: bool = False) -> str:
    """The role as a person: "an inspector", "An enterprise officer"; an unknown role by its own name."""
    return with_article(ROLE_NOUNS.get(role, str(role).replace("_", " ")), capital=capital)
