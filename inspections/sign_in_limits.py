"""How many wrong passwords may be tried, so that guessing is slow and nobody can lock an owner out.

Three counts of failures, all in the shared counters (``inspections.sign_in_counters``):

- per username *and* address (10 per 15 minutes): a guesser at one address is stopped, while the owner at their
  own address is not, however many failures strangers made elsewhere;
- per address (60 per 15 minutes): one address trying many usernames (password spraying) is stopped;
- per username from all addresses together (30 per hour): guesses spread over many addresses are slowed too.
  Past it, only addresses where that user signed in within ``KNOWN_FOR`` may go on trying (each within its own
  limit above): the owner keeps signing in where they usually do, a stranger's flood locks out nobody there.

A successful sign-in clears the failures of its username at its address and marks the address known.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from inspections.errors import DomainError

KNOWN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Rate:
    """At most ``hits`` in ``window``."""

    hits: int
    window: timedelta


@dataclass(frozen=True)
class SignInLimits:
    per_user_address: Rate
    per_address: Rate
    per_user: Rate


class TooManySignIns(DomainError):
    """Too many failed sign-ins for this username or from this address; ``retry_after`` seconds until one may try."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _keys(username: str, address: str) -> dict[str, str]:
    user = username.casefold()
    return {"user_address": f"fail:user-address:{user}:{address}", "address": f"fail:address:{address}",
            "user": f"fail:user:{user}", "known": f"known:{user}:{address}"}


def _wait(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return "a minute" if minutes <= 1 else f"{minutes} minutes"


class SignInThrottle:
    """The limits of ``SignInLimits`` over a store of counters; ``address`` is the client's as the API sees it."""

    def __init__(self, counters, limits: SignInLimits):
        self.counters = counters
        self.limits = limits

    def check(self, username: str, address: str) -> None:
        """Raise TooManySignIns if this username may not try a password from this address just now."""
        keys = _keys(username, address)
        counts = self.counters.read(keys.values())
        too_many = []
        for name, message in (
            ("user_address", f"Too many failed sign-ins as {username} from your address"),
            ("address", "Too many failed sign-ins from your address"),
            ("user", f"Too many failed sign-ins as {username} from many addresses; from an address where you have "
                     "not signed in lately"),
        ):
            count = counts.get(keys[name])
            if count is None or count.hits < getattr(self.limits, f"per_{name}").hits:
                continue
            if name == "user" and keys["known"] in counts:
                continue  # the owner's usual address: strangers elsewhere do not lock them out here
            too_many.append((count.seconds_left, message))
        if too_many:
            seconds, message = max(too_many)
            raise TooManySignIns(f"{message}, wait {_wait(seconds)} and try again.", retry_after=max(1, math.ceil(seconds)))

    def failed(self, username: str, address: str) -> None:
        """Count a wrong password (or unknown username) from ``address``."""
        keys = _keys(username, address)
        self.counters.add({keys["user_address"]: self.limits.per_user_address.window,
                           keys["address"]: self.limits.per_address.window,
                           keys["user"]: self.limits.per_user.window})

    def succeeded(self, username: str, address: str) -> None:
        """The right password: forget this address's failures for the username and know the address from now on."""
        keys = _keys(username, address)
        self.counters.clear(keys["user_address"])
        self.counters.mark(keys["known"], KNOWN_FOR)
