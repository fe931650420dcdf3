"""The hazard ledger (隐患台账): one row per hazard, as district offices keep it in Excel."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from inspections.hazard_queries import HazardFilters, hazards_query, is_overdue
from inspections.models import Area, Category, Enterprise, Hazard, Rectification, User
from inspections.wording import SEVERITY_NAMES, STATUS_NAMES, local_minute

COLUMNS = (
    "隐患编号", "企业名称", "统一社会信用代码", "所属区域", "隐患类别", "隐患等级", "隐患描述", "判定依据",
    "发现时间", "上报人", "整改期限", "原定期限", "状态", "是否逾期", "退回次数", "整改措施", "销号时间", "复发自",
)


def ledger_rows(session: Session, actor: User, filters: HazardFilters, *, today: date, tz: tzinfo) -> Iterator[list]:
    """The ledger rows of the hazards ``actor`` may see that match ``filters``, newest first, streamed."""
    hazard = aliased(Hazard, hazards_query(session, actor, filters, today=today).subquery())
    latest_measures = (
        select(Rectification.measures).where(Rectification.hazard_id == hazard.id)
        .order_by(Rectification.id.desc()).limit(1).scalar_subquery()
    )
    query = (
        select(hazard, Enterprise.name, Enterprise.credit_code, Area.name, Category.name, User.display_name,
               User.username, latest_measures)
        .join(Enterprise, Enterprise.id == hazard.enterprise_id)
        .join(Category, Category.code == hazard.category_code)
        .join(User, User.id == hazard.reported_by)
        .outerjoin(Area, Area.code == hazard.area_code)
        .order_by(hazard.reported_at.desc(), hazard.id)
    )
    for row in session.execute(query.execution_options(yield_per=1000)):
        h = row[0]
        yield [
            str(h.id), row[1], row[2], row[3] or "", row[4], SEVERITY_NAMES.get(h.severity, h.severity), h.description,
            h.basis or "", local_minute(h.reported_at, tz), row[5] or row[6], h.deadline.isoformat(),
            h.original_deadline.isoformat(), STATUS_NAMES.get(h.status, h.status), "是" if is_overdue(h, today) else "否",
            h.rejection_count, row[7] or "", local_minute(h.closed_at, tz), str(h.recurrence_of) if h.recurrence_of else "",
        ]

