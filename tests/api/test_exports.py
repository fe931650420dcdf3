"""The hazard ledger (隐患台账) exports: the same filters and visibility as the list."""
import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import openpyxl

from tests.api.conftest import API, rectification_photo, report
from tests.api.test_closure import REPAIRED, REPORTED, submit
from tests.api.test_workflow import bring_to
from tests.api.conftest import PLANT_LAT, PLANT_LON
from tests.photo_edit import photo_with_exif


def read_csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so Excel opens the Chinese correctly
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_ledger_lists_what_the_caller_sees_with_chinese_headers(client, district, clock):
    ours = report(client, district["wang"], district.plant.id, severity="major").get_json()["id"]
    report(client, district["zhang"], district.other_plant.id)
    response = client.get(f"{API}/exports/hazards.csv", headers=district["li"])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    # Named for the day it was exported, in Chinese, with an ASCII name for clients that cannot read that one.
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"hazard-ledger-20260928.csv\"; filename*=UTF-8''" + quote("隐患台账-20260928.csv"))
    rows = read_csv(response)
    assert rows[0][:3] == ["隐患编号", "企业名称", "统一社会信用代码"]
    assert [row[0] for row in rows[1:]] == [ours]
    row = dict(zip(rows[0], rows[1]))
    assert row["企业名称"] == "示范机械厂" and row["隐患等级"] == "重大隐患" and row["状态"] == "待签收"
    assert row["发现时间"] == "2026-09-28T10:00:00+08:00" and row["整改期限"] == "2026-11-13" and row["是否逾期"] == "否"
    assert row["是否按期整改"] == "未到期" and row["销号时间"] == "" and row["隐患类别"] == "消防安全／疏散通道"
    assert len(read_csv(client.get(f"{API}/exports/hazards.csv", headers=district["zhao"]))) == 3


def test_exports_filter_recurrences(client, district, clock):
    first, _ = bring_to(client, district, "acknowledged")
    data = photo_with_exif(REPAIRED, lat=PLANT_LAT, lon=PLANT_LON, taken_at=REPORTED + timedelta(hours=2))
    clock.set(REPORTED + timedelta(days=1))
    assert submit(client, district, first, data).status_code == 200
    client.post(f"{API}/hazards/{first}/review", json={"decision": "approve"}, headers=district["wang"])
    clock.set(REPORTED + timedelta(days=20))
    again = report(client, district["wang"], district.plant.id).get_json()["id"]
    rows = read_csv(client.get(f"{API}/exports/hazards.csv?recurrence=true", headers=district["zhao"]))
    assert [(row[0], row[-1]) for row in rows[1:]] == [(again, first)]
    closed = read_csv(client.get(f"{API}/exports/hazards.csv?status=closed", headers=district["zhao"]))
    assert dict(zip(closed[0], closed[1]))["整改措施"] == "清除了安全出口的杂物"


def test_xlsx_ledger_is_a_workbook_with_the_rows(client, district, clock):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    response = client.get(f"{API}/exports/hazards.xlsx?severity=general", headers=district["zhao"])
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as workbook:
        assert "xl/workbook.xml" in workbook.namelist()
        assert "隐患台账" in workbook.read("xl/workbook.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert hazard_id in sheet and "示范机械厂" in sheet
    assert len(re.findall(r"<row ", sheet)) == 2  # the header and one hazard
    bad = client.get(f"{API}/exports/hazards.xlsx?bbox=1,2", headers=district["zhao"])
    assert bad.status_code == 422


SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN = {"objectives": "恢复除尘系统防爆功能", "measures": "更换泄爆片并加装隔爆阀", "funds": "企业自筹 12 万元",
        "responsible": "设备科 李工", "timeline": "六周内完成", "safety_measures": "停用除尘系统期间停止打磨作业"}


def _ok(response):
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _office_ledger(client, db_session, district, clock) -> dict:
    """The hazards of a safety office's ledger, exported on Monday 2026-11-16 at 09:00:

    dust: major (粉尘涉爆／除尘系统), reported 09-28, plan recorded, closed by 赵 on 11-16, after its deadline 11-13;
    exit: rejected by 王 on 09-29 and still open, past its deadline; fire: reported today, not due yet, top-level
    category; night: closed at 23:30 (Shanghai) on its deadline day, on time, written directly.
    """
    from tests.api.test_stats import add_hazard

    wang, li, zhao = district["wang"], district["li"], district["zhao"]
    dust = _ok(report(client, wang, district.plant.id, severity="major", category="combustible_dust.extraction",
                      description="除尘系统未设泄爆装置"))["id"]
    exit_ = _ok(report(client, wang, district.plant.id, description="安全出口被货物堵塞"))["id"]
    for hazard_id in (dust, exit_):
        _ok(client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={}, headers=li))
    _ok(client.put(f"{API}/hazards/{dust}/plan", json=PLAN, headers=li))
    for hazard_id, picture, measures in ((dust, "drew_Photo_1.webp", "已加装隔爆阀"),
                                         (exit_, "exexif_pp_editors_no_exif.jpg", "清理了出口")):
        photo = _ok(rectification_photo(client, li, hazard_id, name=picture))
        _ok(client.post(f"{API}/hazards/{hazard_id}/rectification",
                        json={"measures": measures, "photo_ids": [photo["id"]]}, headers=li))
    clock.set(datetime(2026, 9, 29, 15, 0, tzinfo=SHANGHAI))
    _ok(client.post(f"{API}/hazards/{exit_}/review", json={"decision": "reject", "comment": "出口仍有杂物"}, headers=wang))
    clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI))
    _ok(client.post(f"{API}/hazards/{dust}/review", json={"decision": "approve", "comment": "复查合格"}, headers=zhao))
    fire = _ok(report(client, wang, district.plant.id, category="fire", description="灭火器过期"))["id"]
    night = add_hazard(db_session, district, status="closed", reported=datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI),
                       deadline=date(2026, 11, 11), closed=datetime(2026, 11, 11, 23, 30, tzinfo=SHANGHAI))
    return {"dust": dust, "exit": exit_, "fire": fire, "night": str(night.id)}


def test_xlsx_ledger_as_a_safety_office_uses_it(client, db_session, district, clock):
    """Issue 13.11: real Excel dates in the district's zone, sized columns, a frozen and filtered header, both
    category levels, who re-inspected, the plan's responsible person and funds, overdue and on-time columns."""
    made = _office_ledger(client, db_session, district, clock)
    response = client.get(f"{API}/exports/hazards.xlsx", headers=district["zhao"])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"hazard-ledger-20261116.xlsx\"; filename*=UTF-8''" + quote("隐患台账-20261116.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()))["隐患台账"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "隐患编号", "企业名称", "统一社会信用代码", "所属区域", "隐患类别", "隐患等级", "隐患描述", "判定依据", "发现时间",
        "上报人", "整改期限", "原定期限", "状态", "是否逾期", "是否按期整改", "退回次数", "整改措施", "整改责任人",
        "整改资金", "复查人", "销号时间", "复发自"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:V5"
    widths = {letter: sheet.column_dimensions[letter].width for letter in ("A", "E", "G", "I", "K")}
    assert all(width > 10 for width in widths.values()) and widths["G"] > widths["I"] > widths["K"], widths
    cells = {row[0].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}
    # Newest first (the dust and the exit were found at the same minute).
    assert list(cells)[:2] == [made["fire"], made["night"]] and set(list(cells)[2:]) == {made["exit"], made["dust"]}

    def values(hazard: str) -> dict:
        return {title: cell.value for title, cell in cells[hazard].items()}

    dust = cells[made["dust"]]
    # Times are Excel dates holding Shanghai's wall-clock time, dates are dates: not strings.
    assert dust["发现时间"].is_date and dust["发现时间"].number_format == "yyyy-mm-dd hh:mm"
    assert dust["整改期限"].is_date and dust["整改期限"].number_format == "yyyy-mm-dd"
    assert values(made["dust"]) == {
        **values(made["dust"]), "隐患类别": "粉尘涉爆／除尘系统", "隐患等级": "重大隐患", "发现时间": datetime(2026, 9, 28, 10, 0),
        "上报人": "王", "整改期限": datetime(2026, 11, 13), "原定期限": datetime(2026, 11, 13), "状态": "已销号",
        "是否逾期": "是", "是否按期整改": "否", "退回次数": 0, "整改措施": "已加装隔爆阀", "整改责任人": "设备科 李工",
        "整改资金": "企业自筹 12 万元", "复查人": "赵", "销号时间": datetime(2026, 11, 16, 9, 0), "复发自": None,
    }
    exit_ = values(made["exit"])
    assert (exit_["状态"], exit_["是否逾期"], exit_["是否按期整改"], exit_["退回次数"], exit_["复查人"]) == (
        "整改中", "是", "否", 1, "王")
    assert (exit_["整改责任人"], exit_["整改资金"], exit_["销号时间"]) == (None, None, None)  # no plan for a general one
    fire = values(made["fire"])
    assert (fire["隐患类别"], fire["是否逾期"], fire["是否按期整改"], fire["复查人"]) == ("消防安全", "否", "未到期", None)
    night = values(made["night"])
    # 23:30 in Shanghai on the deadline day (15:30 UTC): on time, and shown at 23:30.
    assert (night["销号时间"], night["是否逾期"], night["是否按期整改"]) == (datetime(2026, 11, 11, 23, 30), "否", "是")

    # Counting the column gives the statistics' on-time rate: 1 on time of 3 due.
    marks = [row["是否按期整改"] for row in map(values, cells)]
    totals = client.get(f"{API}/stats", headers=district["zhao"]).get_json()["totals"]
    assert (marks.count("是"), marks.count("是") + marks.count("否")) == (totals["closed_on_time"], totals["due"]) == (1, 3)


def test_csv_ledger_has_the_workbooks_columns_with_iso_dates(client, db_session, district, clock):
    made = _office_ledger(client, db_session, district, clock)
    response = client.get(f"{API}/exports/hazards.csv", headers=district["zhao"])
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"hazard-ledger-20261116.csv\"; filename*=UTF-8''" + quote("隐患台账-20261116.csv"))
    rows = read_csv(response)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{API}/exports/hazards.xlsx", headers=district["zhao"])
                                              .get_data()))["隐患台账"]
    assert rows[0] == [cell.value for cell in sheet[1]]
    dust = next(dict(zip(rows[0], row)) for row in rows[1:] if row[0] == made["dust"])
    assert (dust["发现时间"], dust["整改期限"], dust["原定期限"], dust["销号时间"]) == (
        "2026-09-28T10:00:00+08:00", "2026-11-13", "2026-11-13", "2026-11-16T09:00:00+08:00")
    assert (dust["隐患类别"], dust["复查人"], dust["整改责任人"], dust["整改资金"], dust["是否按期整改"]) == (
        "粉尘涉爆／除尘系统", "赵", "设备科 李工", "企业自筹 12 万元", "否")


def test_a_description_that_looks_like_a_formula_stays_text(client, district, clock):
    """Whatever an inspector types is shown as typed: "=1+1" is not computed (nor a formula run on opening)."""
    report(client, district["wang"], district.plant.id, description="=HYPERLINK(\"http://example.com\",\"1\")")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{API}/exports/hazards.xlsx", headers=district["zhao"])
                                              .get_data()))["隐患台账"]
    assert sheet["G2"].value == "=HYPERLINK(\"http://example.com\",\"1\")" and sheet["G2"].data_type == "s"
    # CSV has no cell types: a spreadsheet opening it would run the formula, so it is written as text ('=…).
    rows = list(csv.reader(io.StringIO(client.get(f"{API}/exports/hazards.csv", headers=district["zhao"])
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][rows[0].index("隐患描述")] == "'=HYPERLINK(\"http://example.com\",\"1\")"
