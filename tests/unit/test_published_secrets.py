"""The service does not start with a signing key or S3 keys that anyone can read in this repository."""
import pytest

from api import create_app
from api.config import DEV_S3_ACCESS_KEY_ID, DEV_S3_SECRET_ACCESS_KEY, DEV_SECRET_KEY, from_env

REAL_KEY = "k" * 16 + "an operator's own random key, long enough"
LOOPBACK_STORE = {"S3_ENDPOINT_URL": "http://127.0.0.1:8333", "S3_PUBLIC_ENDPOINT_URL": "http://127.0.0.1:8333",
                  "S3_ACCESS_KEY_ID": DEV_S3_ACCESS_KEY_ID, "S3_SECRET_ACCESS_KEY": DEV_S3_SECRET_ACCESS_KEY}


def _start(tmp_path, **settings):
    """create_app as an operator's environment would configure it (nothing from this machine's environment)."""
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "HAZARDS_ENV": "production",
                       "AUDIT_KEY": "an audit key of this instance, long enough to seal", **LOOPBACK_STORE, **settings})


def _refusal(tmp_path, **settings) -> str:
    with pytest.raises(SystemExit) as stop:
        _start(tmp_path, **settings)
    return str(stop.value.code)


def test_production_refuses_to_start_without_a_secret_key_and_says_how_to_make_one(tmp_path):
    message = _refusal(tmp_path, SECRET_KEY=None)
    assert "SECRET_KEY is not set" in message
    assert "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'" in message
    assert "HAZARDS_ENV=development" in message


def test_production_refuses_the_published_development_key(tmp_path):
    assert "SECRET_KEY is the development key" in _refusal(tmp_path, SECRET_KEY=DEV_SECRET_KEY)


def test_production_refuses_a_key_shorter_than_32_bytes(tmp_path):
    assert "SECRET_KEY is 31 bytes long; it needs at least 32" in _refusal(tmp_path, SECRET_KEY="x" * 31)
    # Counted in bytes: 11 Chinese characters are 33 bytes of UTF-8.
    assert _start(tmp_path, SECRET_KEY="隐患排查治理密钥很长的").config["SECRET_KEY"] == "隐患排查治理密钥很长的"


@pytest.mark.parametrize("endpoints", [
    {"S3_ENDPOINT_URL": "https://oss.example.gov.cn", "S3_PUBLIC_ENDPOINT_URL": "https://oss.example.gov.cn"},
    # The service talks to a store on loopback, but phones reach it from outside: the keys open it to them.
    {"S3_ENDPOINT_URL": "http://127.0.0.1:8333", "S3_PUBLIC_ENDPOINT_URL": "http://10.1.2.3:8333"},
])
def test_production_refuses_the_development_s3_keys_for_a_store_off_this_machine(tmp_path, endpoints):
    message = _refusal(tmp_path, SECRET_KEY=REAL_KEY, **endpoints)
    assert "S3_SECRET_ACCESS_KEY is the development key" in message
    assert "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY" in message


def test_every_problem_is_named_at_once(tmp_path):
    message = _refusal(tmp_path, SECRET_KEY=None, S3_ENDPOINT_URL="https://oss.example.gov.cn",
                       S3_PUBLIC_ENDPOINT_URL=None)
    assert "SECRET_KEY is not set" in message and "oss.example.gov.cn" in message


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8333", "http://localhost:8333", "http://[::1]:8333"])
def test_the_development_s3_keys_are_fine_for_a_store_on_loopback(tmp_path, endpoint):
    app = _start(tmp_path, SECRET_KEY=REAL_KEY, S3_ENDPOINT_URL=endpoint, S3_PUBLIC_ENDPOINT_URL=endpoint)
    assert app.config["SECRET_KEY"] == REAL_KEY


def test_real_keys_start_in_production(tmp_path):
    app = _start(tmp_path, SECRET_KEY=REAL_KEY, S3_ENDPOINT_URL="https://oss.example.gov.cn",
                 S3_PUBLIC_ENDPOINT_URL="https://oss.example.gov.cn", S3_SECRET_ACCESS_KEY="the store's own secret")
    assert app.config["HAZARDS_ENV"] == "production"


def test_development_mode_takes_the_defaults_and_warns(tmp_path, caplog):
    app = _start(tmp_path, HAZARDS_ENV="development", SECRET_KEY=None, S3_ENDPOINT_URL="https://oss.example.gov.cn")
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert "HAZARDS_ENV=development" in caplog.text


def test_the_environment_is_production_unless_it_says_development():
    assert from_env({})["HAZARDS_ENV"] == "production"
    assert from_env({"HAZARDS_ENV": "Development"})["HAZARDS_ENV"] == "development"
    assert from_env({})["SECRET_KEY"] is None
    with pytest.raises(SystemExit) as stop:
        from_env({"HAZARDS_ENV": "staging"})
    assert "HAZARDS_ENV must be production or development" in str(stop.value.code)
