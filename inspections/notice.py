"""The rectification notice (限期整改通知书) of a hazard: what it says, gathered from the record.

The inspector hands or sends it to the enterprise: who was inspected, what was found, the order to put it
right by the deadline in force, the evidence photos, and room for the signatures and the seal.
``media.notice_pdf`` lays it out; this module decides every word.

The document number (文书编号) is ``隐改〔YYYY〕MMDD-XXXXXXXX号``: the local date of the report and the first
eight hex digits of the hazard's id. Both are fixed when the hazard is recorded, so the notice printed today
and a copy printed next year carry the same number, with no counter to keep, and the eight digits find the
hazard in the ledger (its 隐患编号 starts with them).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspections.enums import ExtensionStatus, HazardStatus, LocationSource, PhotoKind, Severity
from inspections.hazards import get_hazard
from inspections.models import (
    Area, Category, Extension, Hazard, HazardEvent, Inspection, Photo, RemediationPlan, User,
)
from inspections.visibility import shown_inspection_id
from inspections.wording import SEVERITY_NAMES, local_minute
from inspections.workflow import Action
from media.notice_pdf import Notice, NoticePhoto, Section, font_face, render_notice
from media.storage import ObjectNotFound, ObjectStore

# A notice is read on paper and on phones: six photos (one page of the annex) say enough, the rest are
# in the system and the notice says how many there are.
MAX_PHOTOS = 6

PLACE_SOURCE = {LocationSource.EXIF: "照片GPS", LocationSource.DEVICE: "手机定位",
                LocationSource.MANUAL: "地图标注", LocationSource.ENTERPRISE: "单位登记位置"}
LAW = "《中华人民共和国安全生产法》"
_TITLE_DISTRICT_CHARS = 30
# Room to write by hand: ideographic spaces (U+3000), which every CJK font draws one character wide.
_BLANK = "\u3000"
_BLANK_DATE = f"{_BLANK * 2}年{_BLANK * 2}月{_BLANK * 2}日"
# The parts of a remediation plan (治理方案), as 《安全生产事故隐患排查治理暂行规定》第二十条 lists them.
PLAN_ROWS = (
    ("目标和任务", "objectives"), ("方法和措施", "measures"), ("经费和物资", "funds"),
    ("机构和人员", "responsible"), ("时限和要求", "timeline"), ("安全措施和\n应急预案", "safety_measures"),
)


@dataclass(frozen=True)
class NoticeFile:
    """The notice's PDF, its number, and the names to offer it under (Chinese, and ASCII for old clients)."""

    content: bytes
    number: str
    filename: str
    ascii_filename: str


def document_number(hazard: Hazard, tz: tzinfo) -> str:
    """The notice's 文书编号, stable for the life of the hazard (see the module docstring)."""
    reported = hazard.reported_at.astimezone(tz).date()
    return f"隐改〔{reported.year}〕{reported:%m%d}-{_short_id(hazard.id)}号"


def rectification_notice(
    session: Session, store: ObjectStore, actor: User, hazard_id: uuid.UUID, *, tz: tzinfo, now: datetime,
    font_path: str,
) -> NoticeFile:
    """The notice of a hazard ``actor`` may see, as PDF (NotFound otherwise, exactly as for the hazard).

    Photos are the display copies of the first `MAX_PHOTOS` evidence photos, read from ``store``; one whose
    object is missing is printed as a blank frame rather than failing the notice. ``media.notice_pdf``'s
    NoticeFontUnavailable when ``font_path`` cannot print it; StorageUnavailable when the store is down.
    """
    hazard = get_hazard(session, actor, hazard_id)
    font_face(font_path)  # an unusable font fails the notice before the store is asked for anything
    number = document_number(hazard, tz)
    stem = f"{hazard.reported_at.astimezone(tz):%Y%m%d}-{_short_id(hazard.id)}"
    notice, photo_keys = _compose(session, hazard, number, shown_inspection_id(session, actor, hazard), tz=tz, now=now)
    # The rows are read: give the connection back before the slow part (the store, the font, the PDF).
    session.rollback()
    photos = tuple(NoticePhoto(image=_read(store, key), caption=caption) for key, caption in photo_keys)
    content = render_notice(replace(notice, photos=photos), font_path)
    return NoticeFile(content=content, number=number, filename=f"整改通知书-{stem}.pdf",
                      ascii_filename=f"rectification-notice-{stem}.pdf")


# --- what it says -----------------------------------------------------------------------------------------


def _compose(session: Session, hazard: Hazard, number: str, inspection_id: uuid.UUID | None, *, tz: tzinfo,
             now: datetime):
    """The notice without its pictures, and the store keys and captions of the photos to print.

    ``inspection_id`` is the hazard's inspection as the caller may know it: its inspectors sign the notice, but an
    officer printing the notice of a hazard found in a covert inspection (暗访) gets it signed by the reporter alone,
    as for a hazard recorded outside any inspection, so that it does not tell covert visits apart.
    """
    enterprise = hazard.enterprise
    areas = _areas(session, hazard)
    district = next((a.name for a in areas if a.level == "district"), None) or _only_district(session)
    inspection = session.get(Inspection, inspection_id) if inspection_id else None
    inspectors = "、".join(_inspectors(hazard, inspection))
    evidence = list(session.scalars(
        select(Photo).where(Photo.hazard_id == hazard.id, Photo.kind == PhotoKind.EVIDENCE)
        .order_by(Photo.uploaded_at, Photo.id)
    ))
    acknowledged = session.scalar(
        select(HazardEvent).where(HazardEvent.hazard_id == hazard.id, HazardEvent.action == Action.ACKNOWLEDGE.value)
        .order_by(HazardEvent.seq).limit(1)
    )
    extension = session.scalar(
        select(Extension).where(Extension.hazard_id == hazard.id, Extension.status == ExtensionStatus.APPROVED)
        .order_by(Extension.decided_at.desc(), Extension.id.desc()).limit(1)
    )
    found_at = hazard.reported_at  # the time found: the phone's when believed (inspections.hazards.time_found)
    issued_on = hazard.reported_at.astimezone(tz).date()
    # The plan the enterprise recorded is part of what it is held to; only a major hazard has one.
    plan = hazard.plan if hazard.severity == Severity.MAJOR else None
    # On a tight first page the plan goes whole to the annex, the enterprise and the hazard keep their first rows.
    after_order = (Section("四、重大事故隐患治理方案", _plan_rows(session, plan, tz), brief=0),) if plan is not None else ()

    enterprise_rows = (
        ("单位名称", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("地址", enterprise.address or ""),
        ("联系人及电话", "　".join(v for v in (enterprise.contact_name, enterprise.contact_phone) if v)),
    )
    hazard_rows = [
        ("隐患描述", hazard.description),
        ("隐患类别", _category(session, hazard.category_code)),
        ("隐患等级", SEVERITY_NAMES.get(hazard.severity, hazard.severity)),
        ("所在区域", " ".join(a.name for a in areas)),
        ("隐患位置", _place(hazard.lat, hazard.lon, hazard.location_source, hazard.accuracy_m)),
    ]
    if hazard.basis:
        hazard_rows.append(("判定依据", hazard.basis))
    hazard_rows += [
        ("发现时间", local_minute(found_at, tz)),
        ("检查人员", inspectors),
    ]
    # A district's name is a few characters; one of the 100 an area may have would take the title over the page
    # (part 二 has the whole name).
    if district and len(district) > _TITLE_DISTRICT_CHARS:
        district = district[:_TITLE_DISTRICT_CHARS - 1] + "…"
    title = f"{district}安全生产隐患限期整改通知书" if district else "安全生产隐患限期整改通知书"
    notice = Notice(
        title=title,
        number=f"文书编号：{number}",
        status_note=_status_note(hazard, tz),
        sections=(Section("一、被检查单位", enterprise_rows, brief=1),
                  Section("二、检查发现的事故隐患", tuple(hazard_rows), brief=3)),
        order_heading="三、整改要求",
        addressee=f"{enterprise.name}：",
        order=_order(hazard, extension, found_at, tz, plan),
        after_order=after_order,
        signature_heading="五、签收" if after_order else "四、签收",
        signatures=(
            ("检查人员（签名）", f"{inspectors}\n\n签名：{_BLANK * 8}日期：{_BLANK_DATE}"),
            ("被检查单位负责人\n或安全管理人员签收", _acknowledgement(session, acknowledged, tz)),
        ),
        issuer="检查单位（印章）",
        issued_on=_chinese_date(issued_on),
        footnote="本通知书一式两份，一份送达被检查单位，一份由检查单位存档。",
        reference=f"隐患编号 {hazard.id}　生成于 {local_minute(now, tz)}",
        photos_heading="附件：隐患现场照片",
        photos_note=_photos_note(len(evidence)),
        author=inspectors,
        created_at=now,
        keywords=(number, enterprise.name),
    )
    printed = enumerate(evidence[:MAX_PHOTOS], 1)
    photo_keys = [(photo.display_key, _caption(index, photo, tz)) for index, photo in printed]
    return notice, photo_keys


def _order(hazard: Hazard, extension: Extension | None, found_at: datetime, tz: tzinfo,
           plan: RemediationPlan | None) -> tuple[str, ...]:
    deadline = _chinese_date(hazard.deadline)
    paragraphs = [
        f"{_chinese_date(found_at.astimezone(tz).date())}，经对你单位进行安全生产检查，发现存在上述事故隐患。"
        f"依据{LAW}第四十一条、第六十五条第一款第（三）项的规定，现责令你单位于{deadline}24时前整改完毕，"
        "达到有关法律、法规、规章和国家标准或者行业标准规定的要求，并通过隐患排查治理系统报送整改情况及整改后的照片，"
        "申请复查。",
    ]
    if extension is not None and hazard.deadline != hazard.original_deadline:
        decided = _chinese_date(extension.decided_at.astimezone(tz).date())
        paragraphs.append(
            f"经你单位申请，原定整改期限{_chinese_date(hazard.original_deadline)}已于{decided}经审核批准延期，"
            f"现整改期限为{deadline}。"
        )
    if plan is not None:
        paragraphs.append(
            f"该隐患属重大事故隐患。你单位已于{_chinese_date(plan.updated_at.astimezone(tz).date())}报送重大事故隐患"
            "治理方案（见本通知书第四部分），你单位主要负责人应当组织实施该方案，落实治理的目标和任务、方法和措施、"
            "经费和物资、负责治理的机构和人员、时限和要求以及安全措施和应急预案。"
            "隐患排除前或者排除过程中无法保证安全的，应当从危险区域内撤出作业人员，暂时停产停业或者停止使用相关设施、设备。"
            "治理完成后，经审查同意，方可恢复生产经营和使用。"
        )
    elif hazard.severity == Severity.MAJOR:
        paragraphs.append(
            "该隐患属重大事故隐患。你单位主要负责人应当组织制定并实施重大事故隐患治理方案，落实治理的目标和任务、"
            "方法和措施、经费和物资、负责治理的机构和人员、时限和要求以及安全措施和应急预案，并将治理方案报送我单位。"
            "隐患排除前或者排除过程中无法保证安全的，应当从危险区域内撤出作业人员，暂时停产停业或者停止使用相关设施、设备。"
            "治理完成后，经审查同意，方可恢复生产经营和使用。"
        )
    paragraphs += [
        "整改期间，你单位应当采取有效的安全防范措施，防止事故发生。逾期未整改或者整改不合格的，"
        f"将依照{LAW}第一百零二条的规定依法处理；由此造成事故的，依法追究有关人员的责任。",
        "你单位如对本通知不服，可以依法在六十日内申请行政复议，或者在六个月内依法向人民法院提起行政诉讼，"
        "但本通知不停止执行，法律另有规定的除外。",
    ]
    return tuple(paragraphs)


def _plan_rows(session: Session, plan: RemediationPlan, tz: tzinfo) -> tuple[tuple[str, str], ...]:
    """The plan as the enterprise recorded it (its latest revision), and who sent it when."""
    sent = f"{_name(session.get(User, plan.updated_by))}　{local_minute(plan.updated_at, tz)}"
    return (*((label, getattr(plan, name)) for label, name in PLAN_ROWS), ("报送人及时间", sent))


def _acknowledgement(session: Session, event: HazardEvent | None, tz: tzinfo) -> str:
    blank = f"签名：{_BLANK * 8}签收时间：{_BLANK_DATE}{_BLANK * 2}时"
    if event is None:
        return "\n" + blank
    who = _name(session.get(User, event.actor_id)) if event.actor_id else ""
    return f"已于{_chinese_minute(event.at, tz)}通过系统签收（{who}）\n\n{blank}"


def _status_note(hazard: Hazard, tz: tzinfo) -> str:
    if hazard.status == HazardStatus.CLOSED:
        return f"（该隐患已于{_chinese_date(hazard.closed_at.astimezone(tz).date())}整改验收销号）"
    if hazard.status == HazardStatus.VOID:
        return f"（该隐患已于{_chinese_date(hazard.voided_at.astimezone(tz).date())}作废，本通知书不再执行）"
    return ""


def _photos_note(count: int) -> str:
    if count > MAX_PHOTOS:
        return f"共有证据照片{count}张，本通知书附前{MAX_PHOTOS}张，其余可在隐患排查治理系统中查看。"
    return f"共有证据照片{count}张。"


def _caption(index: int, photo: Photo, tz: tzinfo) -> tuple[str, ...]:
    if photo.taken_at is not None:
        taken = f"拍摄时间：{local_minute(photo.taken_at, tz)}"
    else:
        taken = f"拍摄时间：不详（上传于{local_minute(photo.uploaded_at, tz)}）"
    if photo.lat is None or photo.lon is None:
        return f"照片{index}", taken, "拍摄地点：未记录"
    # The place on a line of its own and its source on the next: a caption is half a page wide.
    lines = [f"照片{index}", taken, f"拍摄地点：{_coordinates(photo.lat, photo.lon)}"]
    source = _place_source(photo.location_source, photo.accuracy_m)
    return (*lines, f"定位来源：{source}") if source else tuple(lines)


# --- reading the record ----------------------------------------------------------------------------------


def _areas(session: Session, hazard: Hazard) -> list[Area]:
    """The hazard's area and those above it, district first (from the path kept at report time)."""
    path = hazard.area_path or (hazard.enterprise.area.path if hazard.enterprise.area else None)
    codes = [code for code in (path or "").split("/") if code]
    if not codes:
        return []
    found = {a.code: a for a in session.scalars(select(Area).where(Area.code.in_(codes)))}
    return [found[code] for code in codes if code in found]


def _only_district(session: Session) -> str | None:
    """The district's name when the record names no area but the service holds exactly one district."""
    names = list(session.scalars(select(Area.name).where(Area.level == "district").limit(2)))
    return names[0] if len(names) == 1 else None


def _category(session: Session, code: str) -> str:
    category = session.get(Category, code)
    if category is None:
        return code
    parent = session.get(Category, category.parent_code) if category.parent_code else None
    return f"{parent.name}／{category.name}" if parent else category.name


def _inspectors(hazard: Hazard, inspection: Inspection | None) -> list[str]:
    people = list(inspection.inspectors) if inspection is not None else []
    if hazard.reporter not in people:
        people.insert(0, hazard.reporter)
    return [_name(person) for person in people]


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _read(store: ObjectStore, key: str) -> bytes | None:
    try:
        return store.read(key)
    except ObjectNotFound:
        return None  # the copy was lost; `flask media sweep` reports it, the notice still goes out


# --- words and numbers ----------------------------------------------------------------------------------


def _short_id(hazard_id: uuid.UUID) -> str:
    return hazard_id.hex[:8].upper()


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _chinese_minute(instant: datetime, tz: tzinfo) -> str:
    local = instant.astimezone(tz)
    return f"{_chinese_date(local.date())}{local:%H:%M}"


def _place(lat: float | None, lon: float | None, source: str | None, accuracy_m: float | None) -> str:
    if lat is None or lon is None:
        return "未记录"
    source_text = _place_source(source, accuracy_m)
    return f"{_coordinates(lat, lon)}（{source_text}）" if source_text else _coordinates(lat, lon)


def _place_source(source: str | None, accuracy_m: float | None) -> str:
    """Where a position came from (照片GPS, 手机定位, …) and how far off it may be."""
    details = [PLACE_SOURCE.get(source, "") if source else "", f"误差约{accuracy_m:.0f}米" if accuracy_m else ""]
    return "，".join(detail for detail in details if detail)


def _coordinates(lat: float, lon: float) -> str:
    """WGS-84, as the phone recorded it, to about a metre."""
    return f"{'北纬' if lat >= 0 else '南纬'}{abs(lat):.5f}° {'东经' if lon >= 0 else '西经'}{abs(lon):.5f}°"
