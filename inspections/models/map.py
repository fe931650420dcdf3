"""The map's running counts of hazards per cell (see ``inspections.map_cells``)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from inspections.db import Base


_COVERED = ["status", "open_deadline", "hazards", "sum_lon", "sum_lat"]


class MapCell(Base):
    """How many located hazards of one status (and, while active, one deadline) lie in one map cell.

    ``level`` is the map zoom of the cell (``inspections.map_grid.Grid``); ``open_deadline`` is the deadline of
    active hazards and `map_cells.NEVER` for closed and void ones, so "overdue" is ``open_deadline < today``
    and stays right from one day to the next without rewriting a row. ``sum_lon``/``sum_lat`` give the
    clusters' mean position.
    """

    __tablename__ = "map_cells"
    __table_args__ = (
        # Cells are read as ranges of one column (cx fixed, cy from .. to) and of one row (cy fixed): an index
        # each way, holding every column on PostgreSQL so that the reads never visit the table.
        Index("ix_map_cells_level_cx_cy", "level", "cx", "cy", postgresql_include=_COVERED),
        Index("ix_map_cells_level_cy_cx", "level", "cy", "cx", postgresql_include=_COVERED),
    )

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    open_deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    hazards: Mapped[int] = mapped_column(Integer)
    sum_lon: Mapped[float] = mapped_column(Float)
    sum_lat: Mapped[float] = mapped_column(Float)
