"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V): registration
authority, organisation category, six-digit division code, nine-character organisation code, and a final
check character computed modulo 31 over the first seventeen.
"""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# The weight of position i is 3**i mod 31, as tabulated in the standard.
_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_character(first17: str) -> str:
    """The 18th character for the given first seventeen."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, in words for the user, or None when it is valid."""
    if len(code) != 18:
        return "A unified social credit code has 18 characters."
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"Characters not allowed in a unified social credit code: {' '.join(bad)}."
    if not code[2:8].isdigit():
        return "Characters 3 to 8 of a unified social credit code are the division code and must be digits."
    if check_character(code[:17]) != code[17]:
        return "The check character does not match: the code is mistyped."
    return None


def normalize_credit_code(code: str) -> str:
    """Codes are printed in capitals; people type them with spaces and in lower case."""
    return "".join(code.split()).upper()
