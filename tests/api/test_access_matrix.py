"""Every operation × every caller × every kind of object the caller may not see: nothing leaks (issue 12).

The operations come from the OpenAPI document (`/api/v1/openapi.json`, which holds the OGC routes too) and every
other route of the app is accounted for, so an operation added later is covered automatically: one without a rule
in ``RULES`` fails the test until someone writes down what it expects (who may take it, the body to send).

Callers: an inspector of another street (张, S2), an officer of another enterprise (陈, the restaurant), the plant's
own officer (李: the covert inspection at his plant is hidden from him), a reviewer, an admin, and anonymous.
Objects: the plant's hazards (one found in a covert inspection), photos, extension, inspections (routine and
covert), a pending direct upload of 王's, a user. For each request that names an object the caller may not see
(in the path or in the body) the same request naming a missing object is sent too: both answers must be the same
(status and body, ids aside), 404 when the object is in the path. A step the caller may never take on an object
they see is 403. Every answer (lists, map, statistics, ledgers, OGC, errors) is searched for what identifies a
hidden object (ids, digests, canary texts), and the counting answers must count the visible hazards only.

One district is built once per module (per backend); requests that would change it (allowed writes) are not sent
here, they are the workflow tests' business.
"""
from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from tests.api.conftest import API, PLANT_LAT, PLANT_LON, make_district, report
from tests.api.test_notice_pdf import read_pdf
from tests.conftest import _empty_tables
from tests.factories import make_user, upload_photo

INSPECTOR, OFFICER, REVIEWER, ADMIN = "inspector", "enterprise_officer", "reviewer", "admin"
EVERYONE = frozenset({INSPECTOR, OFFICER, REVIEWER, ADMIN})
STAFF = frozenset({INSPECTOR, REVIEWER})
# The callers: district key → role. None is anonymous.
CALLERS = {"zhang": INSPECTOR, "other_officer": OFFICER, "li": OFFICER, "zhao": REVIEWER, "admin": ADMIN,
           None: None}
RESTAURANT = (39.905, 116.415)
PLAN = {f: "按期完成" for f in ("objectives", "measures", "funds", "responsible", "timeline", "safety_measures")}


@dataclass(frozen=True)
class Rule:
    """What an operation expects. ``roles`` may take it; ``first`` when that is checked before any object is looked
    up (the others get 403 whatever they name), else only on objects they see. ``writes``: allowed requests change
    data and are not sent. ``body``/``query`` may hold placeholders ``<photo>``, ``<upload>``, ``<inspection>``."""

    roles: frozenset = EVERYONE
    first: bool = False
    writes: bool = False
    public: bool = False
    body: dict | None = None
    query: dict | None = None
    fixed: dict = field(default_factory=dict)  # path parameters that name no secret object
    counts: str | None = None  # how the answer counts hazards (see COUNTED)
    slow: bool = False  # send to visible objects only where something inside them is hidden (the notice's render)
    signed: bool = False  # needs a signature only the server makes: every id answers as a missing one


ADMIN_ONLY = dict(roles=frozenset({ADMIN}), first=True)
RULES = {
    "POST /api/v1/auth/token": Rule(public=True, body={"username": "nobody", "password": "wrong password"}),
    "POST /api/v1/auth/refresh": Rule(public=True, body={"refresh_token": "not-a-token" * 4}),
    "GET /api/v1/": Rule(public=True),
    "GET /api/v1/me": Rule(),
    "POST /api/v1/me/password": Rule(writes=True, body={"current_password": "not the password",
                                                        "new_password": "tangerine violin orbit 47"}),
    "GET /api/v1/users": Rule(**ADMIN_ONLY),
    "POST /api/v1/users": Rule(**ADMIN_ONLY, writes=True,
                               body={"username": "matrix", "password": "a long enough pass", "role": "reviewer"}),
    "GET /api/v1/users/{user_id}": Rule(**ADMIN_ONLY),
    "PATCH /api/v1/users/{user_id}": Rule(**ADMIN_ONLY, writes=True, body={"display_name": "改名"}),
    "GET /api/v1/areas": Rule(),
    "POST /api/v1/areas": Rule(**ADMIN_ONLY, writes=True,
                               body={"code": "S9", "name": "新街道", "level": "street", "parent_code": "D1"}),
    "GET /api/v1/areas/{code}": Rule(fixed={"code": "S1"}),
    "PATCH /api/v1/areas/{code}": Rule(**ADMIN_ONLY, writes=True, fixed={"code": "S1"}, body={"name": "改名"}),
    "GET /api/v1/enterprises": Rule(),
    "POST /api/v1/enterprises": Rule(**ADMIN_ONLY, writes=True, body={"name": "新厂", "credit_code": "x"}),
    "GET /api/v1/enterprises/{enterprise_id}": Rule(),
    "PATCH /api/v1/enterprises/{enterprise_id}": Rule(**ADMIN_ONLY, writes=True, body={"contact_name": "改名"}),
    "GET /api/v1/categories": Rule(),
    "POST /api/v1/categories": Rule(**ADMIN_ONLY, writes=True, body={"code": "fire.x", "name": "新", "parent_code": "fire"}),
    "PATCH /api/v1/categories/{code}": Rule(**ADMIN_ONLY, writes=True, fixed={"code": "fire.exits"}, body={"name": "改"}),
    "GET /api/v1/campaigns": Rule(),
    "POST /api/v1/campaigns": Rule(**ADMIN_ONLY, writes=True,
                                   body={"name": "安全生产月", "starts_on": "2026-06-01", "ends_on": "2026-06-30"}),
    "GET /api/v1/campaigns/{campaign_id}": Rule(),
    "GET /api/v1/calendar/overrides": Rule(),
    "PUT /api/v1/calendar/overrides": Rule(**ADMIN_ONLY, writes=True, body={"days": []}),
    "GET /api/v1/calendar/status": Rule(roles=frozenset({REVIEWER, ADMIN}), first=True),
    "GET /api/v1/calendar/provisional-changes": Rule(**ADMIN_ONLY),
    "POST /api/v1/calendar/provisional-changes/apply": Rule(**ADMIN_ONLY, writes=True, body={"hazard_ids": []}),
    "DELETE /api/v1/calendar/overrides/{day}": Rule(**ADMIN_ONLY, writes=True, fixed={"day": "2026-10-01"}),
    "GET /api/v1/inspections": Rule(),
    "POST /api/v1/inspections": Rule(roles=STAFF, first=True, writes=True, body={"kind": "routine"}),
    "GET /api/v1/inspections/{inspection_id}": Rule(),
    "GET /api/v1/inspections/{inspection_id}/hazards": Rule(),
    "GET /api/v1/hazards": Rule(counts="pagination"),
    "POST /api/v1/hazards": Rule(roles=STAFF, first=True, writes=True, body={
        "category": "fire.exits", "severity": "general", "description": "新隐患", "inspection_id": "<inspection>"}),
    "GET /api/v1/hazards/{hazard_id}": Rule(),
    "GET /api/v1/hazards/{hazard_id}/events": Rule(),
    "GET /api/v1/hazards/{hazard_id}/notice.pdf": Rule(slow=True),
    "POST /api/v1/hazards/{hazard_id}/acknowledge": Rule(roles=frozenset({OFFICER}), writes=True, body={}),
    "POST /api/v1/hazards/{hazard_id}/rectification": Rule(roles=frozenset({OFFICER}), writes=True,
                                                           body={"measures": "已整改", "photo_ids": ["<photo>"]}),
    "POST /api/v1/hazards/{hazard_id}/review": Rule(roles=STAFF, writes=True, body={"decision": "reject", "comment": "不合格"}),
    "POST /api/v1/hazards/{hazard_id}/void": Rule(roles=frozenset({ADMIN}), writes=True, body={"reason": "录入错误"}),
    "PUT /api/v1/hazards/{hazard_id}/plan": Rule(roles=frozenset({OFFICER}), writes=True, body=PLAN),
    "POST /api/v1/hazards/{hazard_id}/extensions": Rule(roles=frozenset({OFFICER}), writes=True,
                                                        body={"new_deadline": "<later>", "reason": "采购"}),
    "POST /api/v1/hazards/{hazard_id}/extensions/{extension_id}/decision": Rule(
        roles=frozenset({REVIEWER}), writes=True, body={"approve": False, "comment": "不同意"}),
    "GET /api/v1/hazards/{hazard_id}/photos": Rule(),
    "POST /api/v1/hazards/{hazard_id}/photos": Rule(roles=STAFF, writes=True, body={"upload_id": "<upload>",
                                                                                   "kind": "evidence"}),
    "GET /api/v1/hazards/{hazard_id}/photos/{photo_id}": Rule(),
    "POST /api/v1/uploads": Rule(roles=frozenset({INSPECTOR, OFFICER, REVIEWER}), writes=True,
                                 body={"content_type": "image/jpeg", "size": 1000, "sha256": "a" * 64}),
    "GET /api/v1/map/hazards": Rule(query={"zoom": 18}, counts="map"),
    "GET /api/v1/map/thumbnails/{photo_id}": Rule(public=True, signed=True,
                                                  query={"expires": 4102444800, "signature": "0" * 32}),
    "GET /api/v1/map/areas": Rule(counts="areas"),
    "GET /api/v1/exports/hazards.csv": Rule(counts="csv"),
    "GET /api/v1/exports/hazards.xlsx": Rule(counts="xlsx"),
    "GET /api/v1/stats": Rule(roles=frozenset({INSPECTOR, REVIEWER, ADMIN}), first=True, counts="stats",
                              query={"group_by": "enterprise"}),
    "GET /healthz": Rule(public=True),
    "GET /readyz": Rule(public=True),
    "GET /ogc": Rule(),
    "GET /ogc/conformance": Rule(),
    "GET /ogc/collections": Rule(counts="extent"),
    "GET /ogc/collections/{collection_id}": Rule(fixed={"collection_id": "hazards"}, counts="extent"),
    "GET /ogc/collections/{collection_id}/items": Rule(fixed={"collection_id": "hazards"}, counts="ogc"),
    "GET /ogc/collections/{collection_id}/items/{feature_id}": Rule(fixed={"collection_id": "hazards"}),
}
# Routes of the app outside the OpenAPI document, and why they hold nothing to leak.
UNDOCUMENTED = {
    "/static/<path:filename>": "the app's own static files",
    "/": "the landing page: links only, the same for everyone",
    "/favicon.ico": "the icon",
    "/api/v1/openapi.json": "the API document",
    "/api/v1/docs": "Swagger UI",
    "/map": "the map page's HTML: it loads every datum through the API with the caller's token",
    "/map/static/<path:filename>": "the map page's scripts and styles",
}
# Path parameters and the kind of object each names.
KIND_OF = {"hazard_id": "hazard", "feature_id": "hazard", "photo_id": "photo", "extension_id": "extension",
           "inspection_id": "inspection", "enterprise_id": "enterprise", "user_id": "user", "campaign_id": "campaign"}
PARENT_OF = {"photo_id": "hazard_id", "extension_id": "hazard_id"}


@dataclass
class World:
    client: object
    headers: dict
    objects: dict  # kind → name → id (photos, extensions: (id, hazard id))
    hidden: dict  # caller → set of (kind, name) the caller may not see
    markers: dict  # caller → strings that must never appear in an answer to them
    visible_hazards: dict  # caller → hazard names
    positions: dict  # hazard name → (lat, lon)


def _check(response, *expected):
    assert response.status_code in expected, response.get_json()
    return response.get_json()


@pytest.fixture(scope="module")
def world(_session_app):
    app = _session_app
    client = app.test_client()
    session = app.extensions["db_sessions"]()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("inspections.accounts._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        district = make_district(client, session)
        colleague = make_user(session, "anfang", "inspector", area_code="S1", display_name="CANARY暗访组员")
        stranger = make_user(session, "canary-stranger", "inspector", area_code="S2", display_name="CANARY陌生人")
    h, plant, restaurant = district.headers, district.plant.id, district.other_plant.id
    later = (date.today() + timedelta(days=60)).isoformat()
    now = datetime.now(timezone.utc)

    def inspection(headers, enterprise, kind, **extra):
        return _check(client.post(f"{API}/inspections", json={"enterprise_id": enterprise, "kind": kind, **extra},
                                  headers=headers), 201)["id"]

    def hazard(headers, enterprise, where, **fields):
        return _check(report(client, headers, enterprise, lat=where[0], lon=where[1], **fields), 201)["id"]

    def photo(headers, hazard_id, where, name):
        return _check(upload_photo(client, headers, hazard_id, kind="evidence", name=name, lat=where[0], lon=where[1],
                                   taken_at=now), 201)

    def extension(headers, hazard_id, reason):
        return _check(client.post(f"{API}/hazards/{hazard_id}/extensions", json={"new_deadline": later,
                                                                                 "reason": reason}, headers=headers), 201)["id"]

    at_plant = (PLANT_LAT, PLANT_LON)
    i_plant = inspection(h["wang"], plant, "routine", notes="CANARY-I-PLANT")
    i_covert = inspection(h["wang"], plant, "covert", notes="CANARY-I-COVERT", inspector_ids=[colleague.id])
    i_rest = inspection(h["zhang"], restaurant, "routine", notes="CANARY-I-REST")
    hz = {
        "plant": hazard(h["wang"], plant, at_plant, inspection_id=i_plant, description="CANARY-H-PLANT 出口堵塞"),
        "major": hazard(h["wang"], plant, at_plant, severity="major", description="CANARY-H-MAJOR 粉尘"),
        "covert": hazard(h["wang"], plant, at_plant, inspection_id=i_covert, description="CANARY-H-COVERT 消防"),
        "restaurant": hazard(h["zhang"], restaurant, RESTAURANT, inspection_id=i_rest, description="CANARY-H-REST 燃气"),
    }
    photos = {"plant": photo(h["wang"], hz["plant"], at_plant, "exexif_sunrise.jpg"),
              "covert": photo(h["wang"], hz["covert"], at_plant, "drew_FujiFilm_FinePixS1Pro_1.jpg"),
              "restaurant": photo(h["zhang"], hz["restaurant"], RESTAURANT, "exexif_pp_editors_no_exif.jpg")}
    for name, officer in (("major", "li"), ("restaurant", "other_officer")):
        _check(client.post(f"{API}/hazards/{hz[name]}/acknowledge", json={}, headers=h[officer]), 200)
    extensions = {"plant": (extension(h["li"], hz["major"], "CANARY-E-PLANT"), hz["major"]),
                  "restaurant": (extension(h["other_officer"], hz["restaurant"], "CANARY-E-REST"), hz["restaurant"])}
    upload = _check(client.post(f"{API}/uploads", json={"content_type": "image/jpeg", "size": 1000, "sha256": "b" * 64},
                                headers=h["wang"]), 201)["upload_id"]
    campaign = _check(client.post(f"{API}/campaigns", json={"name": "安全生产月", "starts_on": "2026-06-01",
                                                            "ends_on": "2026-06-30"}, headers=h["admin"]), 201)["id"]
    objects = {
        "hazard": hz,
        "photo": {name: (p["id"], hz[name]) for name, p in photos.items()},
        "extension": extensions,
        "inspection": {"plant": i_plant, "covert": i_covert, "restaurant": i_rest},
        "enterprise": {"plant": plant, "restaurant": restaurant},
        "user": {"stranger": stranger.id},
        "upload": {"wang": upload},
        "campaign": {"campaign": campaign},
    }
    plant_side = {("hazard", n) for n in ("plant", "major", "covert")} | {("photo", "plant"), ("photo", "covert"),
                                                                         ("extension", "plant")}
    restaurant_side = {("hazard", "restaurant"), ("photo", "restaurant"), ("extension", "restaurant"),
                       ("inspection", "restaurant"), ("enterprise", "restaurant")}
    hidden = {
        "zhang": plant_side | {("inspection", "plant"), ("inspection", "covert"), ("upload", "wang")},
        "other_officer": plant_side | {("inspection", "plant"), ("inspection", "covert"), ("upload", "wang"),
                                       ("enterprise", "plant")},
        "li": restaurant_side | {("inspection", "covert"), ("upload", "wang")},
        "zhao": {("upload", "wang")},
        "admin": {("upload", "wang")},
        None: set(),
    }
    text_of = {
        ("hazard", "plant"): ["CANARY-H-PLANT"], ("hazard", "major"): ["CANARY-H-MAJOR"],
        ("hazard", "covert"): ["CANARY-H-COVERT"], ("hazard", "restaurant"): ["CANARY-H-REST"],
        ("photo", "plant"): [photos["plant"]["sha256"]], ("photo", "covert"): [photos["covert"]["sha256"]],
        ("photo", "restaurant"): [photos["restaurant"]["sha256"]],
        ("extension", "plant"): ["CANARY-E-PLANT"], ("extension", "restaurant"): ["CANARY-E-REST"],
        ("inspection", "plant"): ["CANARY-I-PLANT"], ("inspection", "restaurant"): ["CANARY-I-REST"],
        ("inspection", "covert"): ["CANARY-I-COVERT", "CANARY暗访组员"],
        ("enterprise", "plant"): [district.plant.name, district.plant.credit_code],
        ("enterprise", "restaurant"): [district.other_plant.name, district.other_plant.credit_code],
        ("upload", "wang"): [],
    }

    def strings(kind, name):
        value = objects[kind][name]
        ident = value[0] if isinstance(value, tuple) else value
        # Integer ids (extensions, enterprises) are too short to search for; their canary texts stand in.
        return ([str(ident)] if isinstance(ident, str) else []) + text_of.get((kind, name), [])

    markers = {caller: {s for kind, name in hidden[caller] for s in strings(kind, name)} for caller in hidden}
    for caller in ("zhang", "other_officer", "li", "zhao"):
        markers[caller] |= {"CANARY陌生人", "canary-stranger"}  # only admins read the list of users
    markers[None] = set().union(*markers.values())
    visible_hazards = {caller: [n for n in hz if ("hazard", n) not in hidden[caller]] for caller in hidden}
    positions = {"plant": at_plant, "major": at_plant, "covert": at_plant, "restaurant": RESTAURANT}
    yield World(client, {**h, None: {}}, objects, hidden, markers, visible_hazards, positions)
    session.close()
    _empty_tables(app.extensions["db_engine"], app.extensions["test_seed"])


# --- the operations -----------------------------------------------------------------------------------------


def _operations(client) -> dict[str, list[str]]:
    """Each operation of the OpenAPI document → its path parameters."""
    document = client.get(f"{API}/openapi.json").get_json()
    found = {}
    for path, item in document["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                found[f"{method.upper()} {path}"] = re.findall(r"{(\w+)}", path)
    return found


def test_every_operation_and_route_has_a_rule(_session_app):
    """A new operation must say what it expects before the matrix can check it; a new route outside the document
    must say why it holds nothing to leak."""
    client = _session_app.test_client()
    operations = _operations(client)
    assert sorted(set(operations) - set(RULES)) == [], "operations without a rule in RULES: say what they expect"
    assert sorted(set(RULES) - set(operations)) == [], "rules for operations that no longer exist"
    unnamed = sorted({p for params in operations.values() for p in params} - set(KIND_OF) - {
        p for rule in RULES.values() for p in rule.fixed})
    assert unnamed == [], "path parameters of no known kind: add them to KIND_OF or a rule's fixed"
    documented = {re.sub(r"{\w+}", "{}", op.split(" ", 1)[1]) for op in operations}
    routes = {re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule): rule.rule for rule in _session_app.url_map.iter_rules()}
    outside = sorted(raw for shape, raw in routes.items() if shape not in documented and raw not in UNDOCUMENTED)
    assert outside == [], "routes outside the OpenAPI document: document them or say in UNDOCUMENTED why not"


@dataclass(frozen=True)
class Target:
    """What one request names: path parameter → (kind, name), body placeholder → (kind, name); name None is a
    missing object."""

    path: tuple
    body: tuple

    def names(self):
        return [*self.path, *self.body]


def _targets(world: World, caller, params: list[str], rule: Rule) -> list[Target]:
    """Every combination worth sending: each hidden object (alone, or inside a parent the caller sees), and one of
    each kind the caller sees."""
    params = [p for p in params if p not in rule.fixed]
    placeholders = sorted({v for v in _walk(rule.body or {}) if v in ("<photo>", "<upload>", "<inspection>")})
    slots = [(p, KIND_OF[p]) for p in params] + [(ph, ph.strip("<>")) for ph in placeholders]
    hidden = world.hidden[caller]
    targets = []
    for index, (slot, kind) in enumerate(slots):
        for name in world.objects[kind]:
            if (kind, name) not in hidden and index != len(slots) - 1:
                continue
            targets.append(_fill(world, caller, slots, {slot: name}))
            parent = PARENT_OF.get(slot)
            if (kind, name) in hidden and parent in params:
                # A hidden photo or extension named under a hazard the caller does see.
                targets.append(_fill(world, caller, slots, {slot: name, parent: _seen(world, caller, "hazard")}))
    if not slots:
        targets.append(Target((), ()))
    return list(dict.fromkeys(t for t in targets if t is not None))


def _seen(world, caller, kind) -> str | None:
    """The object of ``kind`` the caller sees that is sent where any would do (the covert one where seen)."""
    seen = [n for n in world.objects[kind] if (kind, n) not in world.hidden[caller]]
    return ("covert" if "covert" in seen else seen[0]) if seen else None


def _fill(world, caller, slots, chosen: dict) -> Target | None:
    """Complete a choice: a photo's or extension's hazard is its own; other slots take an object the caller sees."""
    values = dict(chosen)
    children = {PARENT_OF[s]: s for s, _k in slots if s in PARENT_OF}
    for slot, kind in slots:
        if slot in values:
            continue
        if slot in children and children[slot] in values:
            owner = world.objects[KIND_OF[children[slot]]][values[children[slot]]][1]
            values[slot] = next(n for n, ident in world.objects["hazard"].items() if ident == owner)
        else:
            values[slot] = _seen(world, caller, kind)
            if values[slot] is None:
                return None
    path = tuple((s, k, values[s]) for s, k in slots if not s.startswith("<"))
    body = tuple((s, k, values[s]) for s, k in slots if s.startswith("<"))
    return Target(path, body)


def _walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def _missing(kind: str):
    return 2_000_000_000 if kind in ("extension", "enterprise", "user", "campaign") else str(uuid.uuid4())


def _ident(world, kind, name):
    if name is None:
        return None
    value = world.objects[kind][name]
    return value[0] if isinstance(value, tuple) else value


def _send(world: World, caller, operation: str, rule: Rule, target: Target, missing: set):
    """Send the request; objects whose slot is in ``missing`` are replaced by ids that exist nowhere. Returns the
    response and the ids it named (slot → id as text)."""
    method, path = operation.split(" ", 1)
    named = {}
    for slot, kind, name in target.names():
        named[slot] = _missing(kind) if slot in missing else _ident(world, kind, name)
    for slot, value in {**rule.fixed, **{s: v for s, v in named.items() if not s.startswith("<")}}.items():
        path = path.replace("{" + slot + "}", str(value))
    later = (date.today() + timedelta(days=60)).isoformat()

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if value == "<later>":
            return later
        return str(named[value]) if isinstance(value, str) and value in named else value

    body = fill(rule.body) if rule.body is not None else None
    if body is not None and operation in ("POST /api/v1/hazards", "POST /api/v1/inspections"):
        body["enterprise_id"] = world.objects["enterprise"]["restaurant"]
    response = world.client.open(path, method=method, json=body, query_string=rule.query,
                                 headers=world.headers[caller])
    return response, {slot: str(value) for slot, value in named.items()}


def _text(response) -> str:
    """What the answer says, whatever its format."""
    content = response.get_data()
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    if response.mimetype == "application/pdf":
        return read_pdf(response)[1]
    return content.decode("utf-8", "replace") + response.headers.get("Location", "")


def _normalised(response, named: dict) -> tuple:
    text = response.get_data(as_text=True)
    for slot, value in named.items():
        text = text.replace(value, f"<{slot}>")
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    return response.status_code, body


def _leaks(world, caller, response, named) -> list[str]:
    text = _text(response)
    for value in named.values():
        text = text.replace(value, "")  # the request's own ids, echoed back in "there is no …"
    return sorted(marker for marker in world.markers[caller] if marker and marker in text)


COUNTED = {
    "pagination": lambda r: json.loads(r.headers["X-Pagination"])["total"],
    "map": lambda r: r.get_json()["total"],
    "areas": lambda r: sum(f["properties"]["total"] for f in r.get_json()["features"]),
    "csv": lambda r: len(r.get_data(as_text=True).strip().splitlines()) - 1,
    "xlsx": lambda r: len(re.findall(r"<row ", _text(r))) - 1,
    "stats": lambda r: r.get_json()["totals"]["total"],
    "ogc": lambda r: r.get_json()["numberMatched"],
}


def _extent(response) -> list | None:
    document = response.get_json()
    collection = document["collections"][0] if "collections" in document else document
    return collection.get("extent", {}).get("spatial", {}).get("bbox", [None])[0]


def _expected(world, caller, rule: Rule, target: Target, hidden: set) -> int | str | None:
    """The status the request must answer: a number, "ok" (below 400), "twin" (whatever a missing object's twin
    answers), or None when it is not to be sent."""
    role = CALLERS[caller]
    if role is None:
        return None if rule.public and not hidden else 401 if not rule.public else "twin"
    if rule.first and role not in rule.roles:
        return 403
    if hidden:
        return 404 if any(not slot.startswith("<") for slot in hidden) else "twin"
    if rule.public:
        return None if rule.body else "ok"
    if role not in rule.roles:
        return 403  # a step the caller may never take, on an object they see
    if rule.writes or (rule.slow and caller != "li"):
        return None  # allowed writes are the workflow tests'; the notice is rendered where it hides something
    return "ok"


@pytest.mark.parametrize("caller", list(CALLERS), ids=[c or "anonymous" for c in CALLERS])
def test_nothing_leaks_to(world, caller):
    problems, sent = [], 0
    for operation, params in _operations(world.client).items():
        rule = RULES.get(operation)
        if rule is None:
            continue  # test_every_operation_and_route_has_a_rule names it
        objects = [p for p in params if p not in rule.fixed]
        for target in _targets(world, caller, params, rule):
            if rule.signed:  # without the server's signature no object is seen, whoever asks
                hidden = {slot for slot, _kind, _name in target.names()}
            else:
                hidden = {slot for slot, kind, name in target.names() if (kind, name) in world.hidden[caller]}
            expected = _expected(world, caller, rule, target, hidden)
            if expected is None and not (rule.public and not rule.body):
                continue
            response, named = _send(world, caller, operation, rule, target, set())
            sent += 1
            label = f"{operation} as {caller or 'anonymous'} naming {[n for *_s, n in target.names()]}"
            status = response.status_code
            if status >= 500:
                problems.append(f"{label}: {status}")
                continue
            if expected == "ok" and status >= 400 or isinstance(expected, int) and status != expected:
                problems.append(f"{label}: {status}, expected {expected}: {response.get_data(as_text=True)[:300]}")
            if hidden:
                twin, twin_named = _send(world, caller, operation, rule, target, hidden)
                sent += 1
                if _normalised(response, named) != _normalised(twin, twin_named):
                    problems.append(f"{label}: answers otherwise than for a missing object: "
                                    f"{_normalised(response, named)} != {_normalised(twin, twin_named)}")
            if leaked := _leaks(world, caller, response, named):
                problems.append(f"{label}: the answer shows {leaked}")
            if rule.counts and status == 200 and not objects:
                visible = world.visible_hazards[caller]
                if rule.counts == "extent":
                    points = [world.positions[n] for n in visible]
                    box = [min(p[1] for p in points), min(p[0] for p in points), max(p[1] for p in points),
                           max(p[0] for p in points)]
                    if _extent(response) != box:
                        problems.append(f"{label}: extent {_extent(response)}, expected that of what it sees {box}")
                elif (counted := COUNTED[rule.counts](response)) != len(visible):
                    problems.append(f"{label}: counts {counted} hazards, sees {len(visible)}")
    assert problems == [], "\n".join(problems)
    assert sent > 40  # the matrix sent something for every operation
