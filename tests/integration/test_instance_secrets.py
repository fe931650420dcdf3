"""./scripts/run's first step: random secrets made once, kept private in instance/secrets.env, reused next start."""
import os
import stat
import subprocess
import sys
from pathlib import Path

from api import create_app
from scripts import instance_secrets

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["SECRET_KEY", "AUDIT_KEY", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]


def _run_step(secrets_file: Path, *names: str, **environ) -> dict:
    """The command scripts/run evaluates, run as it runs it (with a permissive umask, the worst case)."""
    env = {key: value for key, value in os.environ.items() if key not in NAMES}
    result = subprocess.run([sys.executable, "-m", "scripts.instance_secrets", str(secrets_file), *names],
                            cwd=ROOT, env={**env, **environ}, capture_output=True, text=True, check=True, umask=0)
    exports = {}
    for line in result.stdout.splitlines():
        assert line.startswith("export "), line
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = value
    return exports


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_makes_random_keys_in_a_file_only_its_owner_reads(tmp_path):
    secrets_file = tmp_path / "instance" / "secrets.env"
    exports = _run_step(secrets_file, *NAMES)
    assert sorted(exports) == sorted(NAMES)
    assert _mode(secrets_file) == 0o600
    assert len(exports["SECRET_KEY"].encode()) >= 64
    assert instance_secrets.read(secrets_file) == exports
    # Another instance gets other keys.
    assert _run_step(tmp_path / "other.env", *NAMES)["SECRET_KEY"] != exports["SECRET_KEY"]


def test_the_next_start_reuses_the_keys_so_sessions_survive(tmp_path):
    secrets_file = tmp_path / "secrets.env"
    first = _run_step(secrets_file, *NAMES)
    assert _run_step(secrets_file, *NAMES) == first
    assert _mode(secrets_file) == 0o600


def test_a_kept_file_found_readable_by_others_is_made_private_again(tmp_path):
    secrets_file = tmp_path / "secrets.env"
    first = _run_step(secrets_file, "SECRET_KEY")
    secrets_file.chmod(0o644)
    assert _run_step(secrets_file, "SECRET_KEY") == first
    assert _mode(secrets_file) == 0o600


def test_a_value_set_in_the_environment_wins_and_is_not_printed(tmp_path):
    exports = _run_step(tmp_path / "secrets.env", *NAMES, SECRET_KEY="the operator's own key, long enough to sign")
    assert "SECRET_KEY" not in exports and sorted(exports) == ["AUDIT_KEY", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]


def test_a_key_missing_from_an_older_file_is_added_and_the_others_kept(tmp_path):
    secrets_file = tmp_path / "secrets.env"
    secrets_file.write_text("SECRET_KEY=kept-from-an-older-start-and-long-enough-to-sign\n")
    exports = _run_step(secrets_file, *NAMES)
    assert exports["SECRET_KEY"] == "kept-from-an-older-start-and-long-enough-to-sign"
    assert exports["S3_SECRET_ACCESS_KEY"] and _mode(secrets_file) == 0o600


def test_the_service_starts_in_production_mode_with_the_keys_made(tmp_path):
    exports = _run_step(tmp_path / "secrets.env", *NAMES)
    app = create_app({"HAZARDS_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "S3_ENDPOINT_URL": "http://127.0.0.1:8333", "S3_PUBLIC_ENDPOINT_URL": None, **exports})
    assert app.config["SECRET_KEY"] == exports["SECRET_KEY"]
