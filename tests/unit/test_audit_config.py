"""AUDIT_KEY: the service refuses to start without a real one outside development mode."""
import pytest

from api.config import DEV_AUDIT_KEY, audit_keys, from_env

REAL = "r" * 40


def test_production_refuses_a_missing_audit_key_and_says_how_to_make_one():
    with pytest.raises(SystemExit, match="AUDIT_KEY is not set; set AUDIT_KEY to a random value of at least 32 bytes"):
        audit_keys(from_env({}))


@pytest.mark.parametrize("environ, words", [
    ({"AUDIT_KEY": "short-key"}, "AUDIT_KEY has a key shorter than 32 bytes"),
    ({"AUDIT_KEY": DEV_AUDIT_KEY}, "AUDIT_KEY is the published development key"),
    ({"AUDIT_KEY": REAL, "AUDIT_OLD_KEYS": f"{REAL}x tiny"}, "AUDIT_OLD_KEYS has a key shorter than 32 bytes"),
])
def test_production_refuses_a_weak_audit_key(environ, words):
    with pytest.raises(SystemExit, match=words):
        audit_keys(from_env(environ))


def test_the_keys_as_configured():
    assert audit_keys(from_env({"AUDIT_KEY": REAL, "AUDIT_OLD_KEYS": f"{REAL}1  {REAL}2"})) == (REAL, (f"{REAL}1", f"{REAL}2"))


def test_development_mode_alone_has_a_default_key():
    assert audit_keys(from_env({"HAZARDS_ENV": "development"})) == (DEV_AUDIT_KEY, ())
    assert audit_keys(from_env({"HAZARDS_ENV": "Development", "AUDIT_KEY": "short"})) == ("short", ())
