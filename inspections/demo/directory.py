"""The demo's directory: its accounts, the 安全生产月 campaigns, the enterprises and 九小场所 (each with an officer
account), and the categories the hazards are reported in."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from inspections.accounts import hash_password
from inspections.creditcode import check_character
from inspections.demo.bulk import insert_rows
from inspections.demo.layout import DISTRICT, SOUTH, STREET_H, STREET_W, STREET_WEIGHT, STREETS, WEST
from inspections.demo.sampling import accumulate
from inspections.models import Campaign, Category, Enterprise, User

UNUSABLE_PASSWORD = "!demo: no password set"  # not an argon2 hash, so no password matches it
ROADS = "建国路 光华路 东三环中路 朝阳北路 工体北路 朝阳门外大街 东大桥路 三里屯路 新源南路 安定路 北四环东路 惠新东街".split()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
BRAND = "华兴盛鑫泰恒达源丰隆瑞祥安康福润嘉宏金光明德信誉新星宇博远利通顺和"
# venue type, weight, sector, name endings (the 九小场所 are 个体工商户: credit codes beginning 92)
VENUES = [
    ("enterprise", 34, None, ["机械制造有限公司", "商贸有限公司", "物流有限公司", "建筑工程有限公司", "电子科技有限公司",
                              "印刷有限公司", "食品有限公司", "家具制造有限公司", "汽车维修有限公司", "仓储服务有限公司"]),
    ("small_shop", 15, "批发和零售业", ["便利店", "超市", "五金店", "日杂店"]),
    ("small_restaurant", 18, "住宿和餐饮业", ["小吃店", "饭馆", "面馆", "火锅店", "烧烤店"]),
    ("small_hotel", 5, "住宿和餐饮业", ["快捷宾馆", "旅馆", "招待所"]),
    ("small_entertainment", 3, "文化、体育和娱乐业", ["KTV", "歌舞厅", "棋牌室"]),
    ("small_internet_cafe", 2, "文化、体育和娱乐业", ["网咖", "网吧"]),
    ("small_beauty_bath", 6, "居民服务、修理和其他服务业", ["美容美发店", "洗浴中心", "足疗店"]),
    ("small_school", 5, "教育", ["培训学校", "幼儿园", "艺术培训中心"]),
    ("small_clinic", 4, "卫生和社会工作", ["诊所", "口腔诊所", "中医门诊部"]),
    ("small_workshop", 5, "制造业", ["加工厂", "印刷厂", "服装加工坊"]),
    ("other", 3, "租赁和商务服务业", ["服务中心", "工作室"]),
]
SECTORS = ["制造业", "批发和零售业", "交通运输、仓储和邮政业", "建筑业", "信息传输、软件和信息技术服务业", "制造业"]


def accounts(session, password, now, summary) -> dict:
    """The demo's people: an admin, two reviewers, a district inspector and one inspector per street."""
    code = DISTRICT[0]
    wanted = [("demo_admin", "admin", "管理员", None), ("demo_zhao", "reviewer", "赵", None),
              ("demo_zhou", "reviewer", "周", None), ("demo_liu", "inspector", "刘", code)]
    wanted += [(f"demo_inspector{s + 1:02d}", "inspector", f"{SURNAMES[s]}（{STREETS[s]}）", f"{code}{s + 1:03d}")
               for s in range(len(STREETS))]
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_([w[0] for w in wanted])))}
    people: dict = {"inspectors": []}
    for username, role, display, area in wanted:
        user = found.get(username)
        if user is None:
            user = User(username=username, password_hash=hash_password(password), role=role,
                        display_name=display, area_code=area, active=True, created_at=now)
            session.add(user)
            session.flush()
            summary.rows["users"] = summary.rows.get("users", 0) + 1
            summary.accounts.append(username)
        key = {"demo_admin": "admin", "demo_liu": "district_inspector"}.get(username)
        if key:
            people[key] = (user.id, role)
        elif role == "reviewer":
            people.setdefault("reviewers", []).append((user.id, role))
        else:
            people["inspectors"].append((user.id, role))
    session.commit()
    return people


def campaigns(session, now) -> dict[int, int]:
    """安全生产月 (June) of this year and last: year → campaign id."""
    ids = {}
    for year in (now.year - 1, now.year):
        name = f"{year}年安全生产月"
        campaign = session.scalar(select(Campaign).where(Campaign.name == name))
        if campaign is None:
            campaign = Campaign(name=name, theme="人人讲安全、个个会应急——查找身边安全隐患",
                                starts_on=date(year, 6, 1), ends_on=date(year, 6, 30), created_at=now)
            session.add(campaign)
            session.flush()
        ids[year] = campaign.id
    session.commit()
    return ids


def next_id(session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def enterprises(session, rng, layout, how_many, now, count) -> list[dict]:
    taken = set(session.scalars(select(Enterprise.credit_code)))
    first_id, first_user = next_id(session, Enterprise), next_id(session, User)
    centres = [(WEST + rng.uniform(0.03, 0.25), SOUTH + rng.uniform(0.03, 0.22)) for _ in range(12)]
    venue_weights = list(accumulate([v[1] for v in VENUES]))
    street_weights = list(accumulate(STREET_WEIGHT))
    rows, officers, grids, serial = [], [], [], first_id
    for number in range(how_many):
        venue, _w, sector, endings = rng.choices(VENUES, cum_weights=venue_weights)[0]
        while True:
            first17 = f"{'91' if venue == 'enterprise' else '92'}110105{serial:09d}"
            serial += 1
            if first17 + check_character(first17) not in taken:
                break
        if rng.random() < 0.35:  # around a busy centre
            cx, cy = rng.choice(centres)
            lon, lat = rng.gauss(cx, 0.006), rng.gauss(cy, 0.005)
        else:
            s = rng.choices(range(len(STREETS)), cum_weights=street_weights)[0]
            lon = WEST + (s % 5 + rng.random()) * STREET_W
            lat = SOUTH + (s // 5 + rng.random()) * STREET_H
        lon = min(max(lon, WEST + 0.0005), WEST + 5 * STREET_W - 0.0005)
        lat = min(max(lat, SOUTH + 0.0005), SOUTH + 2 * STREET_H - 0.0005)
        grid = layout.grid_at(lon, lat)
        grids.append(grid)
        located = rng.random() >= 0.01  # a few registered without a position
        street = STREETS[grid.street]
        enterprise_id = first_id + number
        rows.append({
            "id": enterprise_id, "name": f"{'北京' if venue == 'enterprise' else ''}{rng.choice(BRAND)}{rng.choice(BRAND)}"
                                         f"{rng.choice(endings)}",
            "credit_code": first17 + check_character(first17), "sector": sector or rng.choice(SECTORS),
            "venue_type": venue, "address": f"北京市朝阳区{street}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
            "lat": round(lat, 6) if located else None, "lon": round(lon, 6) if located else None,
            "area_code": grid.code, "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "contact_phone": f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}", "created_at": now, "updated_at": now,
        })
        officers.append({
            "id": first_user + number, "username": f"demo_officer{enterprise_id}", "password_hash": UNUSABLE_PASSWORD,
            "role": "enterprise_officer", "display_name": rows[-1]["contact_name"], "enterprise_id": enterprise_id,
            "area_code": None, "active": True, "created_at": now,
        })
    for start in range(0, len(rows), 5000):
        insert_rows(session, Enterprise, rows[start:start + 5000])
        insert_rows(session, User, officers[start:start + 5000])
    session.commit()
    count["enterprises"] = len(rows)
    count["users"] = count.get("users", 0) + len(officers)
    for row, officer, grid in zip(rows, officers, grids):
        # Factories and workshops collect more hazards than shops; a few places collect very many.
        row["weight"] = rng.paretovariate(1.6) * (2.0 if row["venue_type"] in ("enterprise", "small_workshop") else 1.0)
        row["officer"] = (officer["id"], "enterprise_officer")
        row["grid"] = grid
    return rows


def categories(session) -> dict[str, list[tuple[str, str]]]:
    """Active categories by top-level code: the second-level ones (code, name), or the top level itself."""
    rows = session.execute(select(Category.code, Category.name, Category.parent_code).where(Category.active.is_(True))).all()
    children: dict[str, list] = {}
    for code, name, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append((code, name))
    return {code: children.get(code) or [(code, name)] for code, name, parent in rows if parent is None}
