"""Time and peak memory of `flask audit verify` and `flask audit checkpoint`, for growing districts.

Run from the repository root:  python bench/audit.py  [--hazards 20000,100000]
                               [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Each size runs in a fresh subprocess against a bundled SeaweedFS and a database of its own (a SQLite file, or a
throw-away PostgreSQL database on loopback with --database-url): the demo district is seeded (every hazard with
its whole keyed trail), then the commands run as an operator would run them: a first checkpoint (full), verify
against it, a second checkpoint with nothing changed (a delta of no heads). Reported for each: the time and the
peak RSS while it ran (Linux VmHWM, reset just before) above the RSS before it, and the checkpoint's size.
The comparison: verify streams hazards, events and checkpoint heads side by side, so its memory should stay
about the same when the district grows five times, while its time grows with it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _measured(run) -> tuple[float, float, object]:
    before = _rss_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    started = time.monotonic()
    result = run()
    return time.monotonic() - started, round((_rss_kb("VmHWM") - before) / 1024, 1), result


def child(step: str, hazards: int, url: str, endpoint: str, access: str, secret: str, bucket: str, key: str) -> dict:
    """One step in a fresh process (so that its peak memory is its own): ``seed``, or an ``audit`` command."""
    from api import create_app

    app = create_app({"DATABASE_URL": url, "S3_ENDPOINT_URL": endpoint, "S3_PUBLIC_ENDPOINT_URL": endpoint,
                      "S3_ACCESS_KEY_ID": access, "S3_SECRET_ACCESS_KEY": secret, "S3_BUCKET": bucket,
                      "SECRET_KEY": "bench-" + os.urandom(16).hex(), "AUDIT_KEY": key,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    store = app.extensions["object_store"]
    if step == "seed":
        from datetime import datetime, timezone
        from zoneinfo import ZoneInfo

        from inspections import schema
        from inspections.calendar_store import load_calendar
        from inspections.demo import seed_demo

        schema.upgrade(url)
        store.ensure_bucket()
        session = app.extensions["db_sessions"]()
        seed_demo(session, hazards=hazards, now=datetime.now(timezone.utc), tz=ZoneInfo("Asia/Shanghai"),
                  calendar=load_calendar(session), password=os.urandom(9).hex())
        session.close()
        return {}
    runner = app.test_cli_runner()

    def command():
        result = runner.invoke(args=["audit", step])
        assert result.exit_code == 0, result.output
        return result.output

    seconds, peak_mb, output = _measured(command)
    sizes = [info.size for info in store.iter_objects("audit/checkpoints/")]
    app.extensions["db_engine"].dispose()
    return {"s": round(seconds, 1), "mb": peak_mb, "kb": round(sizes[-1] / 1024, 1) if sizes else 0,
            "summary": output.strip().splitlines()[-1]}


def _database(base: str | None, workdir: str, hazards: int):
    """A URL of an empty database for one size, and how to drop it."""
    if base is None:
        return f"sqlite:///{Path(workdir) / f'audit-{hazards}.db'}", lambda: None
    from sqlalchemy import text

    from inspections.db import make_engine, normalize_url

    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    name = f"audit_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return normalize_url(base).rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", default="20000,100000", help="district sizes, comma separated")
    parser.add_argument("--database-url", default=None, help="PostgreSQL on loopback (default: SQLite files)")
    parser.add_argument("--child", nargs=8, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, hazards, *rest = args.child
        print(json.dumps(child(step, int(hazards), *rest)))
        return

    from scripts.seaweedfs import SeaweedFS

    with tempfile.TemporaryDirectory() as workdir:
        server = SeaweedFS(Path(workdir) / "s3", access_key="bench", secret_key="bench-secret")
        server.start()
        try:
            print(f"{'hazards':>8} {'verify':>16} {'full checkpoint':>26} {'delta checkpoint':>24}")
            for hazards in (int(n) for n in args.hazards.split(",")):
                url, drop = _database(args.database_url, workdir, hazards)
                bucket, key = f"bench-{uuid.uuid4().hex[:8]}", os.urandom(32).hex()
                results = {}
                try:
                    for step in ("seed", "checkpoint", "verify", "delta"):
                        run = subprocess.run(
                            [sys.executable, __file__, "--child", "checkpoint" if step == "delta" else step, str(hazards),
                             url, server.endpoint_url, "bench", "bench-secret", bucket, key],
                            capture_output=True, text=True, cwd=ROOT)
                        if run.returncode:
                            sys.exit(run.stderr[-3000:])
                        results[step] = json.loads(run.stdout.strip().splitlines()[-1])
                finally:
                    drop()
                v, f, d = results["verify"], results["checkpoint"], results["delta"]
                print(f"{hazards:>8} {v['s']:>6} s {v['mb']:>6} MB {f['s']:>6} s {f['mb']:>6} MB {f['kb']:>6} KB "
                      f"{d['s']:>5} s {d['mb']:>5} MB {d['kb']:>5} KB")
                print(f"{'':>8} {v['summary']}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
