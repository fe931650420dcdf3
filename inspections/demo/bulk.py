"""Writing rows fast: COPY on PostgreSQL, an executemany elsewhere."""
from __future__ import annotations

import json
from datetime import UTC

from sqlalchemy import JSON, Boolean, Date, Float, Integer, Uuid
from sqlalchemy.orm import Session

from inspections.db import Base, UTCDateTime


def insert_rows(session: Session, model, rows: list[dict]) -> None:
    """Insert plain dicts (every row with the same keys) into the model's table in the session's transaction:
    COPY on PostgreSQL, an executemany elsewhere. Datetimes must be aware (UTC is stored)."""
    if rows:
        write_table(session, model.__table__.name, encode(model, rows, session.connection().dialect.name == "postgresql"))


def encode(model, rows: list[dict], copy: bool):
    """The rows ready to write: COPY's text format (made here in one string: several times faster than adapting
    value by value), or the dicts themselves for an executemany."""
    if not copy or not rows:
        return rows
    table = model.__table__
    columns = list(rows[0])
    formats = [_copy_format(table.c[name].type) for name in columns]
    return columns, "".join("\t".join([f(row[c]) for f, c in zip(formats, columns)]) + "\n" for row in rows)


def write_table(session: Session, name: str, encoded) -> None:
    connection = session.connection()
    if isinstance(encoded, list):
        if encoded:
            connection.execute(Base.metadata.tables[name].insert(), encoded)
        return
    columns, data = encoded
    names = ", ".join(f'"{column}"' for column in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
            copy.write(data)


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _nullable(fmt):
    return lambda v: "\\N" if v is None else fmt(v)


def _copy_format(column_type):
    """How one column's values are written in COPY's text format."""
    if isinstance(column_type, UTCDateTime):
        return _nullable(lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" "))
    if isinstance(column_type, JSON):
        return _nullable(lambda v: _copy_text(json.dumps(v, ensure_ascii=False)))
    if isinstance(column_type, Boolean):
        return _nullable(lambda v: "t" if v else "f")
    if isinstance(column_type, (Date, Float, Integer, Uuid)):
        return _nullable(str)
    return _nullable(_copy_text)
