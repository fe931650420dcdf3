"""The instance's own secrets, made at random on the first start and kept for the next ones.

    eval "$(python -m scripts.instance_secrets instance/secrets.env SECRET_KEY S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY)"

``./scripts/run`` does this: the file holds ``SECRET_KEY`` (signs access tokens: kept, so sessions survive a
restart), ``AUDIT_KEY`` (seals the audit trail: a lost one cannot verify what it sealed, so back the file up apart
from the database) and the bundled SeaweedFS's S3 keys, readable by its owner only (0600). The command prints an ``export``
line for each secret named that the environment does not set already, so an operator's own value wins.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shlex
import sys
from pathlib import Path


def _s3_access_key_id() -> str:
    return "HZ" + secrets.token_hex(9).upper()  # 20 characters, like the access key ids S3 stores hand out


GENERATORS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(48),  # 64 characters, 48 random bytes
    "AUDIT_KEY": lambda: secrets.token_urlsafe(48),
    "S3_ACCESS_KEY_ID": _s3_access_key_id,
    "S3_SECRET_ACCESS_KEY": lambda: secrets.token_urlsafe(30),
}
PRIVATE = 0o600


def read(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of ``path`` (blank lines and ``#`` comments skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


def _write(path: Path, values: dict[str, str]) -> None:
    # Made 0600 from the start (never readable by others for a moment), then put in place whole.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write("# Made by scripts/instance_secrets.py on the first start; keep it private and keep it.\n")
            handle.write("".join(f"{name}={value}\n" for name, value in values.items()))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, PRIVATE)  # whatever the umask
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def ensure(path: Path) -> dict[str, str]:
    """Every secret of ``GENERATORS`` as kept in ``path``: the missing ones are made now and written with the rest.

    The file ends up readable by its owner only, also when it was found with wider permissions.
    """
    path = Path(path)
    values = read(path) if path.exists() else {}
    missing = [name for name in GENERATORS if not values.get(name)]
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        values.update({name: GENERATORS[name]() for name in missing})
        _write(path, values)
    elif path.stat().st_mode & 0o777 != PRIVATE:
        os.chmod(path, PRIVATE)
    return values


def main(argv=None) -> int:
    """Print ``export NAME=value`` for each secret named that the environment does not set."""
    parser = argparse.ArgumentParser(prog="python -m scripts.instance_secrets", description=main.__doc__)
    parser.add_argument("file", type=Path, help="where the secrets are kept, e.g. instance/secrets.env")
    parser.add_argument("names", nargs="+", choices=sorted(GENERATORS), metavar="NAME",
                        help=f"secrets to export: {', '.join(GENERATORS)}")
    args = parser.parse_args(argv)
    first_start = not args.file.exists()
    values = ensure(args.file)
    if first_start:
        print(f"==> made random secrets, kept in {args.file} (mode 0600)", file=sys.stderr)
    for name in args.names:
        if not os.environ.get(name):
            print(f"export {name}={shlex.quote(values[name])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
