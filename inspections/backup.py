"""A consistent copy of the database while the service keeps running.

SQLite keeps recent commits in its write-ahead log (``hazards.db-wal``) until a checkpoint folds them into the
main file, so copying ``hazards.db`` alone can lose them, and a copy taken during a write can be torn. SQLite's
online backup API copies the database as one transaction sees it, WAL included, page by page, while others go on
reading and writing. PostgreSQL has its own tool for this (``pg_dump``); nothing here imitates it.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 1024  # 4 MiB at SQLite's default page size: progress a few times a second, writers not held up


class BackupNotPossible(Exception):
    """The database cannot be backed up this way; ``str()`` says why and what to use instead."""


@dataclass(frozen=True)
class BackupSummary:
    source: str
    target: Path
    pages: int
    bytes: int


def sqlite_file(url: str) -> str:
    """The file of a SQLite database URL; BackupNotPossible for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupNotPossible(
            f"The database is {parsed.get_backend_name()}, not SQLite: back it up with its own tool, for "
            "PostgreSQL `pg_dump --format=custom --file BACKUP \"$DATABASE_URL\"` (restore with `pg_restore`).")
    if not parsed.database or parsed.database == ":memory:":
        raise BackupNotPossible("The database is in memory: there is nothing on disk to back up.")
    return parsed.database


def backup_sqlite(url: str, target: Path, *, progress: Callable[[int, int], None] = lambda done, total: None
                  ) -> BackupSummary:
    """Copy the SQLite database at ``url`` to the new file ``target`` with SQLite's online backup API.

    ``target`` must not exist (a backup never overwrites one); the copy is written beside it under a temporary
    name, checked (``PRAGMA quick_check``) and only then renamed, so a failed or interrupted backup leaves no file
    that looks like one. ``progress(pages_done, pages_total)`` is called as pages are copied.
    """
    source = sqlite_file(url)
    if not Path(source).is_file():
        raise BackupNotPossible(f"There is no database file at {source}.")
    target = Path(target)
    if target.exists():
        raise BackupNotPossible(f"{target} exists already; a backup never overwrites a file. Choose a new name.")
    if not target.parent.is_dir():
        raise BackupNotPossible(f"The folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(source, timeout=30)
    try:
        writer = sqlite3.connect(partial)
        try:
            reader.backup(writer, pages=PAGES_PER_STEP,
                          progress=lambda _status, remaining, total: progress(total - remaining, total))
            problems = [row[0] for row in writer.execute("PRAGMA quick_check")]
            pages = writer.execute("PRAGMA page_count").fetchone()[0]
            # The copy is a plain database file: one file, no WAL of its own to carry along.
            writer.execute("PRAGMA journal_mode=DELETE")
        finally:
            writer.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        reader.close()
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise BackupNotPossible(f"The copy failed SQLite's check ({'; '.join(problems[:3])}); nothing was kept.")
    os.replace(partial, target)
    return BackupSummary(source=source, target=target, pages=pages, bytes=target.stat().st_size)
