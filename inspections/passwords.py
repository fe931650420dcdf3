"""Which passwords are refused, and why, in words a user can act on.

A password must have at least 8 characters and be hard to guess by zxcvbn's estimate (score 3 of 4: about 10^8
guesses or more), with the user's own username and name (also in pinyin) and the words Chinese users pick
(``password_words``) among what it tries first. Applied wherever a password is set: creating a user, an admin's
change, a user's own change, ``flask users create``.
"""
from __future__ import annotations

import functools
import re
import threading

from zxcvbn import matching, zxcvbn

from inspections.password_words import COMMON_PASSWORDS, PINYIN_WORDS

MIN_LENGTH = 8
MAX_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn's run time grows fast with length; a password whose first 72 characters are hard to guess is.
_ESTIMATED_LENGTH = 72
ADVICE = ("Three or four words that have nothing to do with you or with each other make a strong password that is "
          "easy to remember.")
_COMMON_LISTS = {"passwords", "chinese_passwords"}
_NAME_LISTS = {"chinese_words", "surnames", "male_names", "female_names"}

matching.add_frequency_lists({
    "chinese_passwords": list(dict.fromkeys(COMMON_PASSWORDS)),
    "chinese_words": list(dict.fromkeys(PINYIN_WORDS)),
})
# zxcvbn keeps the user's words in a module-level dictionary during each call: one estimate at a time.
_estimating = threading.Lock()


@functools.cache
def _pinyin():
    from xpinyin import Pinyin

    return Pinyin()


def _own_words(username: str, display_name: str | None) -> list[str]:
    """The username and the name as typed, and the name in pinyin in each of its readings (王伟 → wangwei)."""
    words = [username]
    if display_name:
        words += [display_name, *display_name.split()]
        if any("\u4e00" <= char <= "\u9fff" for char in display_name):
            readings = _pinyin().get_pinyins(display_name, splitter="", n=8)
            words += [reading.lower() for reading in readings]
            words += [_pinyin().get_initials(display_name, splitter="").lower()]
    return [word for word in dict.fromkeys(word.strip().lower() for word in words) if len(word) >= 2]


def _without(password: str, own: list[str]) -> str:
    """``password`` with every one of the user's own words (or their reversal) taken out, the longest first, in
    any case and also when split by symbols (li_xiaolong is lixiaolong)."""
    for word in sorted({*own, *(word[::-1] for word in own)}, key=len, reverse=True):
        password = re.sub(r"[\W_]*".join(map(re.escape, word)), "", password, flags=re.IGNORECASE)
    return password


def _estimate(password: str, own: list[str]) -> dict:
    with _estimating:
        return zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=own, max_length=_ESTIMATED_LENGTH)


def password_problem(password: str, *, username: str, display_name: str | None = None) -> str | None:
    """Why ``password`` is refused for this user, saying what to do instead; None when it is good enough."""
    if len(password) < MIN_LENGTH:
        return f"A password has at least {MIN_LENGTH} characters. {ADVICE}"
    if len(password) > MAX_LENGTH:
        return f"A password has at most {MAX_LENGTH} characters."
    own = _own_words(username, display_name)
    plain = "".join(char for char in password.lower() if char.isalnum())
    if plain in own or plain[::-1] in own:
        return f"The password is your username or your name, the first thing anyone tries. {ADVICE}"
    rest = _without(password, own)
    if rest != password and (not rest.strip() or _estimate(rest, own)["score"] < MIN_SCORE):
        return (f"The password is built from your username or your name, where anyone guessing it starts, and what "
                f"is left besides is easy to guess. {ADVICE}")
    estimate = _estimate(password, own)
    if estimate["score"] >= MIN_SCORE:
        return None
    lists = {match.get("dictionary_name") for match in estimate["sequence"] if match["pattern"] == "dictionary"}
    if "user_inputs" in lists:
        why = "The password is built from your username or your name, where anyone guessing it starts."
    elif lists & _COMMON_LISTS:
        why = ("The password is, or is built on, one that many people use (like 123456, 5201314, woaini1314 or "
               "qq123456); those are tried first.")
    elif lists & _NAME_LISTS:
        why = "The password is built from common names or words (like wangwei or woaini), which are tried early."
    else:
        warning = estimate["feedback"]["warning"].rstrip(".")
        why = f"The password is too easy to guess{': ' + warning if warning else ''}."
    return f"{why} {ADVICE}"
