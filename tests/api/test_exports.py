"""The hazard ledger (隐患台账) exports: the same filters and visibility as the list."""
import csv
import io
import re
import zipfile
from urllib.parse import quote
from datetime import timedelta

from tests.api.conftest import API, report
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
    # Named for the day it was exported, in Chinese, with an ASCII fallback for old clients.
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("隐患台账-20260928.csv") in disposition
    rows = read_csv(response)
    assert rows[0][:3] == ["隐患编号", "企业名称", "统一社会信用代码"]
    assert [row[0] for row in rows[1:]] == [ours]
    row = dict(zip(rows[0], rows[1]))
    assert row["企业名称"] == "示范机械厂" and row["隐患等级"] == "重大隐患" and row["状态"] == "待签收"
    assert row["发现时间"] == "2026-09-28 10:00" and row["整改期限"] == "2026-11-13" and row["是否逾期"] == "否"
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
