"""./scripts/run's secrets under instance/: made once with mode 0600, the same on the next start."""
import stat

from scripts.instance_secrets import ensure_secrets, main


def test_secrets_are_made_once_readable_by_the_owner_alone(tmp_path):
    path = tmp_path / "instance" / "secrets.env"
    first = ensure_secrets(path, ["AUDIT_KEY"], environ={})
    assert len(first["AUDIT_KEY"].encode()) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_secrets(path, ["AUDIT_KEY"], environ={}) == first  # the next start: the same key

    more = ensure_secrets(path, ["AUDIT_KEY", "SECRET_KEY"], environ={})  # a name added later keeps the others
    assert more["AUDIT_KEY"] == first["AUDIT_KEY"] and more["SECRET_KEY"] != first["AUDIT_KEY"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_value_in_the_environment_wins_and_is_not_written_down(tmp_path):
    path = tmp_path / "secrets.env"
    assert ensure_secrets(path, ["AUDIT_KEY"], environ={"AUDIT_KEY": "the operator's own"}) == {
        "AUDIT_KEY": "the operator's own"}
    assert not path.exists()


def test_the_shell_gets_export_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    assert main([str(tmp_path / "secrets.env"), "AUDIT_KEY"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("export AUDIT_KEY=") and len(line) > len("export AUDIT_KEY=") + 32
