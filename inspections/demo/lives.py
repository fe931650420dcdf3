"""The life of each hazard: visits, hazards and their workflow played forward until ``now``, step by step through
the transition table's rules, made in batches, each from its own seed, by worker processes or in this one."""
from __future__ import annotations

import hashlib
import multiprocessing
import random
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from types import SimpleNamespace

from inspections import audit, deadlines, map_cells
from inspections.audit.keys import AuditKeys
from inspections.demo.bulk import encode
from inspections.demo.layout import Layout
from inspections.demo.sampling import accumulate, geometric
from inspections.models import (
    Extension, Hazard, HazardEvent, Inspection, InspectionInspector, Photo, Rectification, RemediationPlan,
)
from inspections.photos import display_key, original_key, thumbnail_key
from inspections.workcalendar import WorkCalendar

CATEGORY_WEIGHT = {"fire": 38, "electrical": 22, "gas": 9, "special_equipment": 8, "hazardous_chemicals": 6,
                   "construction": 5, "occupational_health": 4, "confined_space": 3, "combustible_dust": 2, "other": 3}
DESCRIPTIONS = {
    "fire": ["安全出口被货物堵塞", "疏散通道堆放杂物", "灭火器过期未更换", "应急照明灯损坏", "消火栓被遮挡", "防火门常开未闭"],
    "electrical": ["私拉乱接电线", "配电箱未上锁且无警示标识", "电动自行车在楼道内充电", "漏电保护器失效", "插座超负荷使用"],
    "gas": ["燃气软管老化开裂", "未安装燃气泄漏报警器", "液化气钢瓶未固定", "紧急切断阀损坏"],
    "special_equipment": ["叉车未按期检验", "电梯维保记录缺失", "压力容器安全阀未校验", "起重机械限位失效"],
    "hazardous_chemicals": ["危化品与可燃物混存", "化学品无安全技术说明书", "储存场所通风不良"],
    "construction": ["脚手架连墙件缺失", "高处作业未系安全带", "临时用电未做三级配电"],
    "occupational_health": ["未配发防尘口罩", "职业病危害告知卡缺失", "噪声岗位未配耳塞"],
    "confined_space": ["有限空间作业未审批", "未进行通风检测即进入", "警示标识缺失"],
    "combustible_dust": ["除尘系统积尘未清理", "粉尘区域使用非防爆电器"],
    "other": ["安全管理制度不健全", "未开展安全教育培训", "应急预案未演练"],
}
BASIS = {"fire": "《中华人民共和国消防法》第二十八条", "electrical": "《用电安全导则》GB/T 13869",
         "gas": "《城镇燃气管理条例》第二十八条", "special_equipment": "《中华人民共和国特种设备安全法》第四十条"}
CAMERAS = [("HUAWEI", "Mate 60"), ("Xiaomi", "23127PN0CC"), ("Apple", "iPhone 15"), ("OPPO", "Find X7"), ("vivo", "X100")]
INDUSTRIAL = {"special_equipment", "hazardous_chemicals", "confined_space", "combustible_dust"}

CHECKED = {"passed": True, "blocking": [], "warnings": []}
PLAN = {"objectives": "消除隐患，确保安全", "measures": "更换不合格设施，落实专人管理", "funds": "企业自筹", "responsible": "企业主要负责人",
        "timeline": "按期完成整改", "safety_measures": "整改期间设置警示标识，落实临时防范措施"}
MEASURES = ["已清理通道并设置禁止堆放标识", "已更换合格器材并建立检查记录", "已整改到位并拍照留存", "已请专业单位维修并验收",
            "已拆除违规线路并规范敷设"]
REJECTIONS = ["整改照片不能反映整改情况，请补充", "现场复查仍未整改到位", "整改措施不彻底"]
EXTENSION_REASONS = ["需采购专用设备，供货周期较长", "需由专业单位施工，已签订合同", "涉及改造，需停产期间实施"]
VOID_REASONS = ["重复录入", "录入错误，企业信息有误", "经复核不构成隐患"]


def _category_picker(rng, categories: dict) -> Callable[[str], str]:
    """Picks a category likely at a kind of place: gas at restaurants, industrial hazards at factories."""
    tops, weights = list(categories), {}

    def pick(venue_type: str) -> str:
        if venue_type not in weights:
            weights[venue_type] = list(accumulate(
                CATEGORY_WEIGHT.get(t, 2) * (4 if venue_type == "small_restaurant" and t == "gas" else 1)
                * (2 if venue_type in ("enterprise", "small_workshop") and t in INDUSTRIAL else 1) for t in tops))
        return rng.choice(categories[rng.choices(tops, cum_weights=weights[venue_type])[0]])[0]

    return pick


class _Stop(Exception):
    """The story has reached ``now``: what would come next has not happened yet."""


ORDER = (Inspection, InspectionInspector, Hazard, Photo, RemediationPlan, Extension, Rectification, HazardEvent)


class _Rows:
    """One batch of rows for every table."""

    def __init__(self):
        self.by_model = {model: [] for model in ORDER}
        self.hazards_made = 0

    def add(self, model, row: dict) -> None:
        self.by_model[model].append(row)


@dataclass(frozen=True)
class Plan:
    """Everything a batch of hazards is made from (sent once to each worker process)."""

    seed: str
    now: datetime
    tz: tzinfo
    calendar: WorkCalendar
    working_days: dict
    people: dict
    layout: Layout
    enterprises: list[dict]
    campaigns: dict
    categories: dict
    extension_base: int
    batch: int
    hazards: int
    copy: bool
    keys: AuditKeys  # seals the audit trail, as the services do


@dataclass(frozen=True)
class _Made:
    """A batch, encoded for writing, parents first: table name → COPY text or rows."""

    hazards: int
    tables: dict
    counts: dict


def _make_batch(plan: Plan, index: int) -> _Made:
    """Batch ``index``: its own random stream, its own ranges of ids, so any process can make it."""
    rng = random.Random(f"{plan.seed}/{index}")
    life = _Life(rng, plan, index)
    category_for = _category_picker(rng, plan.categories)
    weights = list(accumulate([e["weight"] for e in plan.enterprises]))
    rows, size = _Rows(), min(plan.batch, plan.hazards - index * plan.batch)
    while rows.hazards_made < size:
        enterprise = rng.choices(plan.enterprises, cum_weights=weights)[0]
        visit = life.visit(rows, enterprise)
        for _ in range(min(1 + geometric(rng, 0.45), size - rows.hazards_made)):
            life.hazard(rows, enterprise, visit, category_for(enterprise["venue_type"]))
    return _Made(rows.hazards_made, {m.__tablename__: encode(m, rows.by_model[m], plan.copy) for m in ORDER},
                 {m.__tablename__: len(rows.by_model[m]) for m in ORDER})


_PLAN: Plan | None = None  # a worker process's plan


def _adopt(plan: Plan) -> None:
    global _PLAN
    _PLAN = plan


def _make_batch_here(index: int) -> _Made:
    return _make_batch(_PLAN, index)


def batches(plan: Plan, count: int, workers: int) -> Iterator[_Made]:
    """The batches in order, made by ``workers`` processes a few ahead of the writer (never more, so memory
    stays at a few batches), or here when ``workers`` is 0."""
    if workers <= 0:
        yield from (_make_batch(plan, index) for index in range(count))
        return
    # spawn, not fork: the children must not share this process's database connections.
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_adopt, initargs=(plan,)) as pool:
        ahead: deque = deque()
        for index in range(count):
            ahead.append(pool.apply_async(_make_batch_here, (index,)))
            if len(ahead) > workers:
                yield ahead.popleft().get()
        while ahead:
            yield ahead.popleft().get()


def _digest(kind: str, row_id) -> str:
    return hashlib.sha256(f"demo:{kind}:{row_id}".encode()).hexdigest()


class _Life:
    """Makes visits and hazards and plays each hazard's workflow forward until ``now``."""

    def __init__(self, rng, plan: Plan, index: int):
        self.rng, self.now, self.tz, self.calendar = rng, plan.now, plan.tz, plan.calendar
        self.people, self.layout, self.working_days = plan.people, plan.layout, plan.working_days
        self.campaigns = plan.campaigns
        self.keys = plan.keys
        self.next_extension_id = plan.extension_base + index * plan.batch  # at most one extension a hazard
        self.made = index << 24
        self._deadlines: dict = {}
        self._due_soon: dict = {}
        self._workdays: dict = {}

    # calendar, memoised: a few hundred distinct days serve a million hazards
    def day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def local(self, day: date, hours: float) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=self.tz).astimezone(UTC) + timedelta(hours=hours)

    def default_deadline(self, at: datetime, severity: str) -> date:
        key = (self.day(at), severity)
        if key not in self._deadlines:
            self._deadlines[key] = deadlines.default_deadline(at, severity, tz=self.tz, calendar=self.calendar,
                                                              working_days=self.working_days)
        return self._deadlines[key]

    def assumed_years(self, basis: deadlines.DeadlineBasis, deadline: date) -> list[int] | None:
        """The years a deadline counted from ``basis`` went through without their notice (None: not provisional)."""
        return list(self.calendar.assumed_years(basis.first_day_counted, deadline)) or None

    def next_workday(self, day: date) -> date:
        if day not in self._workdays:
            self._workdays[day] = self.calendar.next_workday(day)
        return self._workdays[day]

    def due_soon_day(self, deadline: date) -> date:
        if deadline not in self._due_soon:
            self._due_soon[deadline] = deadlines.due_soon_date(deadline, self.calendar)
        return self._due_soon[deadline]

    def uuid(self) -> uuid.UUID:
        # Random version-4 ids whose top 40 bits count up: the indexes on them grow at their right edge, which
        # makes the load several times faster than scattering a million keys over the whole index.
        self.made += 1
        return uuid.UUID(int=((self.made & 0xFF_FFFF_FFFF) << 88) | self.rng.getrandbits(88), version=4)

    def visit(self, rows: _Rows, enterprise: dict) -> SimpleNamespace:
        """An inspection at the enterprise on a working day of the past two years (more of them lately)."""
        rng = self.rng
        while True:  # more inspections lately, and a busy last fortnight, so that every state is on the map
            age = rng.random() * (14 if rng.random() < 0.04 else 730)
            if rng.random() < 1 - 0.5 * age / 730:
                break
        day = self.day(self.now - timedelta(days=age))
        if not self.calendar.is_workday(day) and rng.random() < 0.85:
            day = self.calendar.previous_workday(day)
        start = self.local(day, 8.5 + rng.random() * 8.5)
        if start > self.now:
            start = self.now - timedelta(minutes=rng.uniform(30, 300))
        inspector = self.people["inspectors"][enterprise["grid"].street]
        partner = self.people["district_inspector"]
        campaigns = self.campaigns
        in_june = day.month == 6 and day.year in campaigns
        kind = "special" if in_june and rng.random() < 0.5 else rng.choices(
            ["routine", "unannounced", "special", "covert"], weights=[55, 30, 10, 5])[0]
        visit_id = self.uuid()
        rows.add(Inspection, {
            "id": visit_id, "enterprise_id": enterprise["id"], "kind": kind,
            "campaign_id": campaigns[day.year] if in_june and kind == "special" else None, "started_at": start,
            "lat": enterprise["lat"], "lon": enterprise["lon"], "notes": None, "created_by": inspector[0],
            "created_at": start, "request_digest": _digest("inspection", visit_id),
        })
        for user_id in {inspector[0], partner[0]}:
            rows.add(InspectionInspector, {"inspection_id": visit_id, "user_id": user_id})
        return SimpleNamespace(id=visit_id, at=start, inspector=inspector)

    def photo(self, hazard_id, kind, actor, at, lon, lat) -> dict:
        rng = self.rng
        sha = f"{rng.getrandbits(256):064x}"
        make, model = rng.choice(CAMERAS)
        wide = rng.random() < 0.5
        where, source, accuracy, alt = rng.random(), None, None, None
        if lon is not None and where < 0.6:
            source, alt = "exif", round(rng.uniform(35, 60), 1)
            lon, lat = round(lon + rng.gauss(0, 0.00008), 6), round(lat + rng.gauss(0, 0.00006), 6)
        elif lon is not None and where < 0.9:
            source, accuracy = "device", round(rng.uniform(4, 25), 1)
        else:
            lon = lat = None
        return {
            "id": self.uuid(), "hazard_id": hazard_id, "kind": kind, "sha256": sha, "size": rng.randint(900_000, 6_000_000),
            "content_type": "image/jpeg", "width": 4000 if wide else 3000, "height": 3000 if wide else 4000,
            "taken_at": at - timedelta(seconds=rng.uniform(5, 300)), "lat": lat, "lon": lon, "alt": alt,
            "accuracy_m": accuracy, "location_source": source, "make": make, "model": model, "orientation": 1,
            "phash": f"{rng.getrandbits(64):016x}", "original_key": original_key(sha), "display_key": display_key(sha),
            "thumbnail_key": thumbnail_key(sha), "uploaded_by": actor[0], "uploaded_at": at,
            "request_digest": _digest("photo", sha),
        }

    def hazard(self, rows: _Rows, enterprise: dict, visit: SimpleNamespace, category: str) -> None:
        rng = self.rng
        visit.at += timedelta(minutes=rng.uniform(3, 20))
        reported = min(visit.at, self.now - timedelta(seconds=rng.uniform(1, 600)))
        severity = "major" if rng.random() < (0.06 if enterprise["venue_type"] == "enterprise" else 0.02) else "general"
        top = category.split(".")[0]
        story = _Story(self, rows, self.uuid(), reported, severity, enterprise, visit.inspector)
        if rng.random() < 0.1:  # the inspector chose the deadline
            asked = self.day(reported) + timedelta(days=rng.randint(3, 40))
            story.deadline = self.next_workday(asked)
            story.basis = deadlines.DeadlineBasis(asked)
            requested = asked if asked != story.deadline else None
        else:
            story.deadline, requested = self.default_deadline(reported, severity), None
            story.basis = deadlines.default_basis(reported, severity, tz=self.tz, working_days=self.working_days)
        story.play(category)
        lon, lat, source, accuracy = story.location
        grid = enterprise["grid"]  # jurisdiction follows the enterprise (inspections.hazards.area_for)
        events = story.events_with_sweeps()
        hazard = {
            "id": story.id, "inspection_id": visit.id, "enterprise_id": enterprise["id"], "category_code": category,
            "severity": severity, "description": rng.choice(DESCRIPTIONS.get(top, ["存在安全隐患"])),
            "basis": BASIS.get(top), "lat": lat, "lon": lon, **map_cells.pixel_columns(lon, lat),
            "accuracy_m": accuracy, "location_source": source, "area_code": grid.code, "area_path": grid.path, "status": story.status, "reported_by": visit.inspector[0],
            "reported_at": reported, "client_reported_at": story.client_reported_at, "deadline": story.deadline,
            "original_deadline": story.original_deadline, "deadline_requested": requested,
            "deadline_counted_from": story.basis.counted_from, "deadline_working_days": story.basis.working_days,
            "deadline_assumed_years": self.assumed_years(story.basis, story.deadline),
            "rejection_count": story.rejections, "closed_at": story.closed_at, "voided_at": story.voided_at,
            "overdue_recorded": story.overdue_recorded, "due_soon_recorded": story.due_soon_recorded,
            "request_digest": _digest("hazard", story.id), "updated_at": events[-1]["at"], "version": len(events),
        }
        prev = audit.GENESIS
        for seq, event in enumerate(events, 1):
            event.update(seq=seq, prev_hash=prev, format=audit.KEYED, key_id=self.keys.current_id)
            event["hash"] = prev = audit.event_digest(SimpleNamespace(**event), self.keys)
        audit.seal_head(hazard, len(events), prev, self.keys)
        rows.add(Hazard, hazard)
        for event in events:
            rows.add(HazardEvent, event)
        rows.hazards_made += 1


class _Story:
    """One hazard's workflow, step by step through the transition table's rules, stopping at ``now``."""

    def __init__(self, life: _Life, rows: _Rows, hazard_id, reported, severity, enterprise, inspector):
        self.life, self.rows, self.rng, self.id = life, rows, life.rng, hazard_id
        self.reported, self.severity, self.enterprise, self.inspector = reported, severity, enterprise, inspector
        self.officer = enterprise["officer"]
        self.events: list[dict] = []
        self.status, self.last = None, reported - timedelta(seconds=1)
        self.deadline = self.original_deadline = None
        self.basis: deadlines.DeadlineBasis | None = None  # what the deadline in force is counted from
        self.deadlines: list[tuple[datetime, date]] = []  # (from, deadline in force)
        self.rejections = 0
        self.closed_at = self.voided_at = None
        self.overdue_recorded = self.due_soon_recorded = False
        self.client_reported_at = reported - timedelta(seconds=self.rng.uniform(1, 30))
        self.location = self._place()

    def _place(self):
        rng, e = self.rng, self.enterprise
        if e["lat"] is None:
            return None, None, None, None
        r = rng.random()
        if r < 0.6:
            return (round(e["lon"] + rng.gauss(0, 0.00014), 6), round(e["lat"] + rng.gauss(0, 0.00011), 6), "device",
                    round(rng.uniform(4, 30), 1))
        if r < 0.95:
            return e["lon"], e["lat"], "enterprise", None  # an EXIF position may replace it (see play)
        return round(e["lon"] + rng.gauss(0, 0.00005), 6), round(e["lat"] + rng.gauss(0, 0.00004), 6), "manual", None

    def emit(self, at, action, actor=None, *, to=None, comment=None, evidence=(), details=None, client=False) -> datetime:
        at = max(at, self.last + timedelta(seconds=1))
        if at > self.life.now:
            raise _Stop
        self.events.append({
            "hazard_id": self.id, "action": action, "from_status": self.status if to else None, "to_status": to,
            "actor_id": actor[0] if actor else None, "actor_role": actor[1] if actor else None, "at": at,
            "client_at": at - timedelta(seconds=self.rng.uniform(1, 20)) if client else None, "comment": comment,
            "evidence_ids": [str(e) for e in evidence], "details": details or {},
        })
        self.last = at
        if to:
            self.status = to
        return at

    def add_photos(self, kind, actor, at, how_many) -> list[dict]:
        photos = []
        lon, lat = self.location[0], self.location[1]
        for _ in range(how_many):
            at += timedelta(seconds=self.rng.uniform(20, 240))
            photo = self.life.photo(self.id, kind, actor, max(at, self.last + timedelta(seconds=1)), lon, lat)
            details = {"kind": kind, "sha256": photo["sha256"]}
            if kind == "evidence" and photo["location_source"] == "exif" and self.location[2] == "enterprise":
                was = {"lat": self.location[1], "lon": self.location[0], "source": "enterprise"}
                details["hazard_location"] = {"lat": photo["lat"], "lon": photo["lon"], "source": "exif",
                                              "photo_id": str(photo["id"]), "was": was}
            photo["uploaded_at"] = self.emit(photo["uploaded_at"], "photo_added", actor, evidence=[photo["id"]],
                                             details=details, client=True)
            if "hazard_location" in details:
                self.location = (photo["lon"], photo["lat"], "exif", None)
            self.rows.add(Photo, photo)
            photos.append(photo)
        return photos

    def play(self, category: str) -> None:
        self.original_deadline = self.deadline
        self.deadlines.append((self.reported, self.deadline))
        self.emit(self.reported, "reported", self.inspector, to="open", client=True, details={
            "deadline": self.deadline.isoformat(), "severity": self.severity, "category": category})
        self.events[0]["client_at"] = self.client_reported_at
        try:
            self._rest()
        except _Stop:
            pass

    def _rest(self) -> None:
        rng, day = self.rng, timedelta(days=1)
        self.add_photos("evidence", self.inspector, self.reported, rng.choices([0, 1, 2, 3], [8, 67, 20, 5])[0])
        if self.severity == "general" and rng.random() < 0.08:  # rectified on the spot
            photos = self.add_photos("rectification", self.inspector, self.last + timedelta(minutes=rng.uniform(5, 40)), 1)
            self._submission("rectified_on_spot", self.inspector, "closed", "当场整改完毕", photos)
            self.closed_at = self.last
            return
        void_at = self.reported + day * rng.uniform(0.2, 8) if rng.random() < 0.015 else None
        # Most acknowledge within a day or two; a few only after weeks of reminders; a very few never.
        slow = rng.random() < 0.04
        acknowledged = self.last + max(timedelta(days=rng.expovariate(1 / (20 if slow else 1.3))), timedelta(minutes=10))
        if rng.random() < 0.002 or (void_at and void_at < acknowledged):
            return self._void(void_at)
        self.emit(acknowledged, "acknowledge", self.officer, to="acknowledged", client=True,
                  comment="已签收" if rng.random() < 0.3 else None)
        if void_at:
            return self._void(void_at)
        if self.severity == "major":
            at = self.emit(self.last + day * rng.uniform(0.5, 4), "plan_recorded", self.officer, details={"plan": PLAN})
            self.rows.add(RemediationPlan, {"hazard_id": self.id, **PLAN, "updated_by": self.officer[0], "updated_at": at})
        due = self.life.local(self.deadline + day, 0)
        if rng.random() < 0.07 and due > self.last + day:
            self._extension(due)
            due = self.life.local(self.deadline + day, 0)
        behaviour = rng.random()
        if behaviour < 0.002:
            return  # never rectified
        if behaviour < 0.8:
            submit = self.last + max((due - self.last) * rng.uniform(0.1, 0.8), timedelta(hours=2))
        else:  # late, some of them by months
            submit = due + timedelta(days=rng.expovariate(1 / (45 if behaviour < 0.85 else 8)))
        for attempt in range(2):
            photos = self.add_photos("rectification", self.officer, submit - timedelta(minutes=rng.uniform(10, 120)),
                                     rng.choice([1, 1, 2]))
            self._submission("submit", self.officer, "submitted", rng.choice(MEASURES), photos)
            reviewer = self.inspector if self.severity == "general" else rng.choice(self.life.people["reviewers"])
            waits = 25 if rng.random() < 0.03 else 1.5  # days; a few re-inspections are long in coming
            review = self.last + max(timedelta(days=rng.expovariate(1 / waits)), timedelta(hours=1))
            if attempt == 0 and rng.random() < 0.1:
                self.emit(review, "reject", reviewer, to="acknowledged", comment=rng.choice(REJECTIONS), client=True)
                self.rejections += 1
                submit = self.last + day * rng.uniform(1, 6)
                continue
            self.closed_at = self.emit(review, "approve", reviewer, to="closed", client=True,
                                       comment="复查合格" if rng.random() < 0.5 else None)
            return

    def _submission(self, action, actor, to, measures, photos) -> None:
        at = self.emit(self.last + timedelta(minutes=self.rng.uniform(1, 5)), action, actor, to=to, comment=measures,
                       evidence=[p["id"] for p in photos], details={"checks": CHECKED}, client=True)
        self.rows.add(Rectification, {
            "hazard_id": self.id, "measures": measures, "photo_ids": [str(p["id"]) for p in photos],
            "checks": {"photos": [], **CHECKED}, "submitted_by": actor[0], "submitted_at": at})

    def _void(self, at) -> None:
        if at is not None:
            self.voided_at = self.emit(at, "void", self.life.people["admin"], to="void",
                                       comment=self.rng.choice(VOID_REASONS))

    def _extension(self, due: datetime) -> None:
        rng, life = self.rng, self.life
        extension_id = life.next_extension_id
        asked_for = self.deadline + timedelta(days=rng.randint(7, 30))
        new = life.next_workday(asked_for)
        asked = self.emit(self.last + (due - self.last) * rng.uniform(0.2, 0.7), "extension_requested", self.officer,
                          comment=rng.choice(EXTENSION_REASONS), client=True, details={
                              "extension_id": extension_id, "new_deadline": new.isoformat(),
                              "deadline": self.deadline.isoformat()})
        life.next_extension_id += 1
        row = {"id": extension_id, "hazard_id": self.id, "requested_by": self.officer[0], "requested_at": asked,
               "previous_deadline": self.deadline, "new_deadline": new, "requested_deadline": asked_for,
               "assumed_years": life.assumed_years(deadlines.DeadlineBasis(asked_for), new),
               "reason": self.events[-1]["comment"],
               "status": "pending", "decided_by": None, "decided_at": None, "decision_comment": None}
        self.rows.add(Extension, row)
        approve = rng.random() < 0.8
        reviewer = rng.choice(life.people["reviewers"])
        details = {"extension_id": extension_id, "deadline": self.deadline.isoformat()}
        if approve:
            details["new_deadline"] = new.isoformat()
        comment = "同意延期" if approve else "理由不充分，请按期整改"
        decided = self.emit(asked + timedelta(days=rng.uniform(0.3, 3)), "extension_approved" if approve else
                            "extension_refused", reviewer, comment=comment, details=details)
        row.update(status="approved" if approve else "refused", decided_by=reviewer[0], decided_at=decided,
                   decision_comment=comment)
        if approve:
            self.deadline = new
            self.basis = deadlines.DeadlineBasis(asked_for)
            self.deadlines.append((decided, new))

    def events_with_sweeps(self) -> list[dict]:
        """The lifecycle events and, between them, the sweep's due-soon and overdue marks as cron made them."""
        life, five = self.life, timedelta(minutes=5)
        end = self.closed_at or self.voided_at or life.now
        marks = []
        for number, (start, deadline) in enumerate(self.deadlines):
            stop = self.deadlines[number + 1][0] if number + 1 < len(self.deadlines) else end
            self.due_soon_recorded = False  # an approved extension lets the reminder fire again
            soon = max(life.local(life.due_soon_day(deadline), 0) + five, start + timedelta(minutes=1))
            if soon < stop and soon <= life.now and life.day(soon) <= deadline:
                marks.append((soon, "due_soon", deadline))
                self.due_soon_recorded = True
            late = max(life.local(deadline + timedelta(days=1), 0) + five, start + timedelta(minutes=1))
            if not self.overdue_recorded and late < stop and late <= life.now:
                marks.append((late, "overdue", deadline))
                self.overdue_recorded = True
        events = self.events + [
            {"hazard_id": self.id, "action": action, "from_status": None, "to_status": None, "actor_id": None,
             "actor_role": None, "at": at, "client_at": None, "comment": None, "evidence_ids": [],
             "details": {"deadline": deadline.isoformat()}}
            for at, action, deadline in marks
        ]
        return sorted(events, key=lambda e: e["at"])
