"""The hazard ledger (隐患台账): one row per hazard, as district offices keep it in Excel.

Rows hold typed values, so each format writes them its own way: text, whole numbers, ``date`` (a local date) and
``datetime`` (aware, in the district's zone), or None for nothing recorded. The workbook makes real Excel dates of
them, the CSV ISO 8601.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from inspections.enums import HazardStatus
from inspections.hazard_counts import is_closed_on_time, is_due
from inspections.hazard_queries import HazardFilters, hazards_query, is_overdue
from inspections.models import Area, Category, Enterprise, Hazard, HazardEvent, Rectification, RemediationPlan, User
from inspections.workflow import RULES, Action
from inspections.wording import SEVERITY_NAMES, STATUS_NAMES


@dataclass(frozen=True)
class Column:
    """A ledger column: its heading, what its values are (text, number, date, datetime) and how wide a
    spreadsheet shows it, in characters (a CJK character counts two)."""

    title: str
    kind: str
    width: float


COLUMNS = (
    Column("隐患编号", "text", 38), Column("企业名称", "text", 28), Column("统一社会信用代码", "text", 21),
    Column("所属区域", "text", 14), Column("隐患类别", "text", 26), Column("隐患等级", "text", 10),
    Column("隐患描述", "text", 40), Column("判定依据", "text", 30), Column("发现时间", "datetime", 17),
    Column("上报人", "text", 10), Column("整改期限", "date", 11), Column("原定期限", "date", 11),
    Column("状态", "text", 8), Column("是否逾期", "text", 9), Column("是否按期整改", "text", 13),
    Column("退回次数", "number", 9), Column("整改措施", "text", 40), Column("整改责任人", "text", 14),
    Column("整改资金", "text", 14), Column("复查人", "text", 10), Column("销号时间", "datetime", 17),
    Column("复发自", "text", 38),
)
TITLES = tuple(column.title for column in COLUMNS)

# The two levels of a category in one cell, as offices write them: 粉尘涉爆／除尘系统.
CATEGORY_SEPARATOR = "／"
# 是否按期整改 before a hazard is due: it may still be closed on time.
NOT_YET_DUE = "未到期"
# The audit trail's names for a re-inspection's decision (复查): approved, rejected, or approved on the spot.
_REVIEW_EVENTS = tuple(sorted({rule.event for rule in RULES if rule.action in (Action.APPROVE, Action.REJECT)}))


def ledger_rows(session: Session, actor: User, filters: HazardFilters, *, today: date, tz: tzinfo) -> Iterator[list]:
    """The ledger rows (values in ``COLUMNS`` order) of the hazards ``actor`` may see that match ``filters``,
    newest first, streamed: the database sends them a thousand at a time, whatever the ledger's size.

    是否逾期 is 是 for a hazard closed after its deadline in force (by the local day of closing) or still open
    past it; 是否按期整改 is 是 for one closed on or before its *original* deadline, 否 for one that is due
    (closed, or open past the original deadline) and was not, 未到期 before that, blank for a void one: the
    statistics' ``closed_on_time`` and ``due``, hazard by hazard, so counting the column gives 按期整改率.
    复查人 is whoever approved or rejected the latest re-inspection; 整改责任人 and 整改资金 come from the
    remediation plan (治理方案) where one was recorded.
    """
    hazard = aliased(Hazard, hazards_query(session, actor, filters, today=today).subquery())
    parent = aliased(Category)
    reviewer = aliased(User)
    latest_measures = (
        select(Rectification.measures).where(Rectification.hazard_id == hazard.id)
        .order_by(Rectification.id.desc()).limit(1).scalar_subquery()
    )
    # One look-up per row in the select list (in a join's ON clause PostgreSQL ran it twice per hazard).
    latest_reviewer = (
        select(func.coalesce(func.nullif(reviewer.display_name, ""), reviewer.username))
        .select_from(HazardEvent).join(reviewer, reviewer.id == HazardEvent.actor_id)
        .where(HazardEvent.hazard_id == hazard.id, HazardEvent.action.in_(_REVIEW_EVENTS))
        .order_by(HazardEvent.seq.desc()).limit(1).scalar_subquery()
    )
    query = (
        select(hazard, Enterprise.name, Enterprise.credit_code, Area.name, parent.name, Category.name,
               User.display_name, User.username, latest_measures, RemediationPlan.responsible, RemediationPlan.funds,
               latest_reviewer)
        .join(Enterprise, Enterprise.id == hazard.enterprise_id)
        .join(Category, Category.code == hazard.category_code)
        .outerjoin(parent, parent.code == Category.parent_code)
        .join(User, User.id == hazard.reported_by)
        .outerjoin(Area, Area.code == hazard.area_code)
        .outerjoin(RemediationPlan, RemediationPlan.hazard_id == hazard.id)
        .order_by(hazard.reported_at.desc(), hazard.id)
    )
    for (h, enterprise, credit_code, area, top_category, category, reporter, reporter_login, measures, responsible,
         funds, checked_by) in session.execute(query.execution_options(yield_per=1000)):
        yield [
            str(h.id), enterprise, credit_code, area, _category(top_category, category),
            SEVERITY_NAMES.get(h.severity, h.severity), h.description, h.basis, _local(h.reported_at, tz),
            reporter or reporter_login, h.deadline, h.original_deadline, STATUS_NAMES.get(h.status, h.status),
            _yes(is_overdue(h, today) or _closed_late(h, tz)), _on_time(h, today, tz), h.rejection_count,
            measures, responsible, funds, checked_by, _local(h.closed_at, tz),
            str(h.recurrence_of) if h.recurrence_of else None,
        ]


def _category(top: str | None, name: str) -> str:
    return f"{top}{CATEGORY_SEPARATOR}{name}" if top else name


def _local(instant: datetime | None, tz: tzinfo) -> datetime | None:
    return instant.astimezone(tz) if instant else None


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _closed_late(hazard: Hazard, tz: tzinfo) -> bool:
    """Closed after the deadline in force, by the local day of closing."""
    return hazard.status == HazardStatus.CLOSED and hazard.closed_at.astimezone(tz).date() > hazard.deadline


def _on_time(hazard: Hazard, today: date, tz: tzinfo) -> str | None:
    if hazard.status == HazardStatus.VOID:
        return None
    if not is_due(hazard, today):
        return NOT_YET_DUE
    return _yes(is_closed_on_time(hazard, tz))
