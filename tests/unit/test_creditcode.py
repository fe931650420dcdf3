"""GB 32100-2015 check characters."""
import pytest

from inspections.creditcode import check_character, credit_code_problem, normalize_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_codes_are_valid(code):
    assert credit_code_problem(code) is None


def test_a_single_mistyped_character_is_caught():
    code = "91350100M000100Y43"
    for position in range(18):
        for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            typo = code[:position] + replacement + code[position + 1:]
            if typo != code:
                assert credit_code_problem(typo) is not None, typo


@pytest.mark.parametrize("code, words", [
    ("91350100M000100Y4", "18 characters"),
    ("91350100M0001I0Y43", "not allowed"),
    ("913501A0M000100Y43", "division code"),
])
def test_problems_are_explained(code, words):
    assert words in credit_code_problem(code)


def test_normalize_removes_spaces_and_uppercases():
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert check_character("91350100M000100Y4") == "3"
