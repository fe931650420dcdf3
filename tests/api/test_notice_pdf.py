"""The rectification notice (限期整改通知书) as PDF: what the inspector hands over and the enterprise reads.

Real photos go through the API into the real SeaweedFS; the PDF is parsed back with pypdf and read as a person
would: its Chinese text, its pictures, its embedded font.

The text is read as viewers copy and search it: the two-byte codes shown with each font, through the font's
ToUnicode map. (pypdf's own ``extract_text`` does not yet read a Type0 font whose encoding is an embedded CMap,
as fpdf2 writes for OpenType/CFF fonts such as Noto CJK, and garbles it; Poppler, MuPDF and Ghostscript read
these files correctly.) Text is compared without whitespace, since cells and lines break it anywhere.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from inspections.photos import display_key
from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.factories import upload_photo
from tests.photo_edit import north_of, photo_with_exif

SHANGHAI = ZoneInfo("Asia/Shanghai")
PICTURE = "drew_FujiFilm_FinePixS1Pro_1.jpg"  # a small real camera JPEG (600 × 400)
LARGER = "exifr_IMG_20180725_163423-tiny.jpg"  # a Pixel photo, 1012 × 759: printed shrunk to 1000 px


@pytest.fixture
def notice_font(app):
    """The configured notice font; the PDF tests need it (Debian: fonts-noto-cjk, which scripts/test installs)."""
    path = app.config["NOTICE_FONT_PATH"]
    if not os.path.isfile(path):
        reason = f"no CJK font at NOTICE_FONT_PATH={path} (apt-get install fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the notice tests may not be skipped)", pytrace=False)
        pytest.skip(reason)
    return path


def notice_url(hazard_id) -> str:
    return f"{API}/hazards/{hazard_id}/notice.pdf"


def evidence(client, headers, hazard_id, number: int = 1, *, minutes_before: int = 30, name: str = PICTURE):
    """An evidence photo taken at the plant before the report, with its place and time in the EXIF.

    Each ``number`` gives other pixels (a slightly different scale), so no two photos are the same picture.
    """
    taken = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI) - timedelta(minutes=minutes_before)
    data = photo_with_exif(name, lat=north_of(PLANT_LAT, 5), lon=PLANT_LON, taken_at=taken,
                           scale=1 - (number - 1) / 100)
    response = upload_photo(client, headers, hazard_id, kind="evidence", name=f"evidence-{number}.jpg", data=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def read_pdf(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    content = response.get_data()
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = "".join("".join(shown_text(reader, page).split()) for page in reader.pages)
    return reader, text


def to_unicode(font) -> dict[bytes, str]:
    """A font's ToUnicode CMap: code (bytes) → text."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[bytes.fromhex(code)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(first, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code.to_bytes(len(low) // 2, "big")] = chr(start + offset)
    return mapping


def shown_text(reader: PdfReader, page) -> str:
    """The text the page shows, each font's two-byte codes read through its ToUnicode map."""
    fonts = {name: to_unicode(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
    mapping, out = {}, []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"Tf":
            mapping = fonts[operands[0]]
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            strings = operands[0] if operator == b"TJ" else operands[-1:]
            for string in strings:
                if isinstance(string, (int, float)):
                    continue
                raw = string.original_bytes if hasattr(string, "original_bytes") else bytes(string)
                out.extend(mapping.get(raw[i:i + 2], "\ufffd") for i in range(0, len(raw), 2))
        elif operator == b"ET":
            out.append("\n")
    return "".join(out)


def image_count(reader: PdfReader) -> int:
    return sum(len(page.images) for page in reader.pages)


def test_the_notice_names_the_enterprise_the_hazard_the_deadline_and_its_number(client, district, clock, notice_font):
    """王 reports a blocked exit with two photos; 李 signs for it and opens the notice on her phone."""
    hazard = report(client, district["wang"], district.plant.id, basis="《建筑设计防火规范》5.5.17").get_json()
    evidence(client, district["wang"], hazard["id"], 1, minutes_before=40)
    clock.set(datetime(2026, 9, 28, 10, 1, tzinfo=SHANGHAI))
    evidence(client, district["wang"], hazard["id"], 1, name=LARGER)
    clock.set(datetime(2026, 9, 28, 11, 5, tzinfo=SHANGHAI))
    assert client.post(f"{API}/hazards/{hazard['id']}/acknowledge", json={}, headers=district["li"]).status_code == 200

    response = client.get(notice_url(hazard["id"]), headers=district["li"])
    reader, text = read_pdf(response)

    number = f"隐改〔2026〕0928-{hazard['id'].replace('-', '')[:8].upper()}号"
    assert f"文书编号：{number}" in text
    assert "示范区安全生产隐患限期整改通知书" in text  # the district's name, from the areas
    assert "示范机械厂" in text and district.plant.credit_code in text
    assert "安全出口被货物堵塞" in text and "消防安全／疏散通道" in text and "一般隐患" in text
    # The area is the plant's registered street, though its position lies in community C1 (属地管理).
    assert "示范区建外街道" in text and "永安里社区" not in text and "《建筑设计防火规范》5.5.17" in text
    assert hazard["deadline"] == "2026-10-13"
    assert "责令你单位于2026年10月13日24时前整改完毕" in text
    assert "检查人员王" in text
    assert "已于2026年9月28日11:05通过系统签收（李）" in text
    # The annex: both photos, each captioned with when and where it was taken.
    assert image_count(reader) == 2
    sizes = sorted(image.image.size for page in reader.pages for image in page.images)
    assert sizes == [(600, 400), (1000, 750)]  # the display copies; the larger one shrunk for print
    assert "共有证据照片2张" in text
    assert "照片1拍摄时间：2026-09-2809:20拍摄地点：北纬39.9030" in text and "照片2拍摄时间：2026-09-2809:30" in text
    assert "东经116.40300°定位来源：照片GPS" in text

    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="rectification-notice-20260928-')
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5%E4%B9%A6-20260928-" in disposition  # 整改通知书
    assert reader.metadata.title == "示范区安全生产隐患限期整改通知书"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4

    # The number does not change with time or with the hazard's progress.
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    _, later = read_pdf(client.get(notice_url(hazard["id"]), headers=district["zhao"]))
    assert f"文书编号：{number}" in later


def test_the_font_is_embedded_as_a_subset(client, district, clock, notice_font):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    reader, _ = read_pdf(client.get(notice_url(hazard_id), headers=district["wang"]))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts, "no font in the PDF"
    for name, font in fonts.items():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"{name} is not embedded"
        assert name[7] == "+", f"{name} is not a subset (no ABCDEF+ prefix)"
        if "NotoSerifCJK" in name:  # the collection's Simplified Chinese face, not the Japanese one first in it
            assert name.endswith("NotoSerifCJKSC"), name
        # A subset of a 20 MB CJK font is tens of kilobytes.
        file = (descriptor.get("/FontFile3") or descriptor["/FontFile2"]).get_object()
        assert len(file.get_data()) < 500_000


def test_the_annex_holds_at_most_six_photos_and_says_how_many_there_are(client, district, clock, notice_font):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    for number in range(1, 8):
        evidence(client, district["wang"], hazard_id, number)
    # A rectification photo is not evidence: it is not printed.
    assert upload_photo(client, district["wang"], hazard_id, kind="rectification", lat=PLANT_LAT,
                        lon=PLANT_LON).status_code == 201
    reader, text = read_pdf(client.get(notice_url(hazard_id), headers=district["zhao"]))
    assert image_count(reader) == 6
    assert "共有证据照片7张，本通知书附前6张" in text
    assert "照片6拍摄时间" in text and "照片7拍摄时间" not in text


def test_a_photo_lost_from_the_store_leaves_a_blank_frame_not_a_failed_notice(client, app, district, clock,
                                                                               notice_font):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    photo = evidence(client, district["wang"], hazard_id)
    app.extensions["object_store"].delete(display_key(photo["sha256"]))
    reader, text = read_pdf(client.get(notice_url(hazard_id), headers=district["wang"]))
    assert image_count(reader) == 0
    assert "照片文件暂不可用" in text and "照片1" in text


def test_with_the_object_store_down_the_notice_answers_503_to_retry(client, app, district, clock, monkeypatch):
    from media.storage import ObjectStore
    from scripts.seaweedfs import free_port

    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    evidence(client, district["wang"], hazard_id)
    dead = ObjectStore(f"http://127.0.0.1:{free_port()}", "hazards", "key", "secret")
    monkeypatch.setitem(app.extensions, "object_store", dead)
    response = client.get(notice_url(hazard_id), headers=district["wang"])
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0


def test_an_approved_extension_and_a_major_hazard_change_the_order(client, district, clock, notice_font):
    """李 needs three weeks for a fire door: 赵 approves; the notice then orders the new date."""
    hazard_id = report(client, district["wang"], district.plant.id, severity="major").get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={}, headers=district["li"]).status_code == 200
    asked = client.post(f"{API}/hazards/{hazard_id}/extensions",
                        json={"new_deadline": "2026-12-04", "reason": "防火门定制"}, headers=district["li"])
    assert asked.status_code == 201, asked.get_json()
    clock.set(datetime(2026, 10, 9, 15, 0, tzinfo=SHANGHAI))
    decided = client.post(f"{API}/hazards/{hazard_id}/extensions/{asked.get_json()['id']}/decision",
                          json={"approve": True}, headers=district["zhao"])
    assert decided.status_code == 200, decided.get_json()

    _, text = read_pdf(client.get(notice_url(hazard_id), headers=district["li"]))
    assert "重大隐患" in text and "重大事故隐患治理方案" in text
    assert "责令你单位于2026年12月4日24时前整改完毕" in text
    assert "原定整改期限2026年11月13日已于2026年10月9日经审核批准延期，现整改期限为2026年12月4日" in text
    # No plan recorded yet: the notice asks for one, and has no part for it.
    assert "并将治理方案报送我单位" in text
    assert "四、签收" in text and "四、重大事故隐患治理方案" not in text


PLAN = {
    "objectives": "更换不合格的防火门，恢复二号车间疏散通道畅通",
    "measures": "拆除原木质门，安装甲级防火门及闭门器，清理通道堆放物",
    "funds": "预算人民币三万元，由设备科从安全生产费用中列支",
    "responsible": "安全科科长牵头，维修班具体实施，车间主任配合",
    "timeline": "2026年11月10日前完成安装并组织内部验收",
    "safety_measures": "施工期间开设临时疏散通道并安排专人值守，配备灭火器四具",
}


def test_a_major_hazards_notice_prints_the_remediation_plan_the_enterprise_recorded(client, district, clock,
                                                                                    notice_font):
    """李 records the plan for a major hazard on the 29th; the notice 王 prints afterwards carries it."""
    hazard_id = report(client, district["wang"], district.plant.id, severity="major").get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={}, headers=district["li"]).status_code == 200
    clock.set(datetime(2026, 9, 29, 14, 30, tzinfo=SHANGHAI))
    recorded = client.put(f"{API}/hazards/{hazard_id}/plan", json=PLAN, headers=district["li"])
    assert recorded.status_code == 200, recorded.get_json()

    reader, text = read_pdf(client.get(notice_url(hazard_id), headers=district["wang"]))
    assert "四、重大事故隐患治理方案" in text and "五、签收" in text
    # The first page is the notice the enterprise signs: the plan is printed whole on the annex page after it.
    first, annex = page_texts(reader)
    assert "五、签收" in first and "检查单位（印章）" in first and "四、重大事故隐患治理方案全文见附页" in first
    assert annex.startswith("附页：通知书所列事项全文（续第1页）四、重大事故隐患治理方案（续）")
    for label, field in (("目标和任务", "objectives"), ("方法和措施", "measures"), ("经费和物资", "funds"),
                         ("机构和人员", "responsible"), ("时限和要求", "timeline"),
                         ("安全措施和应急预案", "safety_measures")):
        assert label + PLAN[field] in text, field
    assert "报送人及时间李2026-09-2914:30" in text
    assert "你单位已于2026年9月29日报送重大事故隐患治理方案（见本通知书第四部分）" in text
    assert "并将治理方案报送我单位" not in text  # no longer asked for: it was sent

    # A revision replaces what is printed.
    clock.set(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    revised = client.put(f"{API}/hazards/{hazard_id}/plan", json={**PLAN, "funds": "追加预算至人民币五万元"},
                         headers=district["li"])
    assert revised.status_code == 200, revised.get_json()
    _, text = read_pdf(client.get(notice_url(hazard_id), headers=district["li"]))
    assert "经费和物资追加预算至人民币五万元" in text and PLAN["funds"] not in text
    assert "你单位已于2026年10月8日报送" in text


def test_a_general_hazards_notice_has_no_plan_part(client, district, clock, notice_font):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    _, text = read_pdf(client.get(notice_url(hazard_id), headers=district["wang"]))
    assert "治理方案" not in text and "三、整改要求" in text and "四、签收" in text


def test_a_void_hazards_notice_says_so(client, district, clock, notice_font):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    assert client.post(f"{API}/hazards/{hazard_id}/void", json={"reason": "录入错误"},
                       headers=district["admin"]).status_code == 200
    _, text = read_pdf(client.get(notice_url(hazard_id), headers=district["li"]))
    assert "该隐患已于2026年9月28日作废，本通知书不再执行" in text


def test_only_those_who_may_see_the_hazard_get_its_notice(client, district, clock):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    for who in ("other_officer", "zhang"):  # another enterprise's officer, another street's inspector
        response = client.get(notice_url(hazard_id), headers=district[who])
        assert response.status_code == 404, who
        assert response.get_json() == client.get(f"{API}/hazards/{hazard_id}", headers=district[who]).get_json()
    assert client.get(notice_url(uuid.uuid4()), headers=district["zhao"]).status_code == 404
    unsigned = client.get(notice_url(hazard_id))
    assert unsigned.status_code == 401 and unsigned.headers["WWW-Authenticate"] == "Bearer"


def test_without_a_usable_font_the_notice_answers_503_for_the_operator(client, app, district, clock, monkeypatch,
                                                                        tmp_path, caplog):
    hazard_id = report(client, district["wang"], district.plant.id).get_json()["id"]
    missing = tmp_path / "NotoSerifCJK-Regular.ttc"
    monkeypatch.setitem(app.config, "NOTICE_FONT_PATH", str(missing))
    response = client.get(notice_url(hazard_id), headers=district["wang"])
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503 and "the font file does not exist" in body["message"]
    assert "fonts-noto-cjk" in body["message"] and "NOTICE_FONT_PATH" in body["message"]
    assert str(missing) in caplog.text  # the path is in the log, for the operator

    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_bytes(b"this is not a font" * 100)
    monkeypatch.setitem(app.config, "NOTICE_FONT_PATH", str(not_a_font))
    response = client.get(notice_url(hazard_id), headers=district["wang"])
    assert response.status_code == 503 and "not a font" in response.get_json()["message"]

    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if latin.is_file():  # a real font, but one without Chinese
        monkeypatch.setitem(app.config, "NOTICE_FONT_PATH", str(latin))
        response = client.get(notice_url(hazard_id), headers=district["wang"])
        assert response.status_code == 503 and "no Chinese characters" in response.get_json()["message"]


def test_the_openapi_document_describes_a_pdf(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    operation = spec["paths"][f"{API}/hazards/{{hazard_id}}/notice.pdf"]["get"]
    assert operation["responses"]["200"]["content"]["application/pdf"]["schema"] == {"type": "string",
                                                                                     "format": "binary"}
    assert {"200", "404", "503"} <= set(operation["responses"])
    assert "限期整改通知书" in operation["summary"]


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def longest(text: str, length: int) -> str:
    """``text`` repeated to exactly ``length`` characters: the longest value the API accepts for the field."""
    return (text * (length // len(text) + 1))[:length]


def page_texts(reader: PdfReader) -> list[str]:
    return ["".join(shown_text(reader, page).split()) for page in reader.pages]


def test_a_major_hazards_notice_keeps_the_order_and_the_signatures_on_its_first_page(client, district, clock,
                                                                                     notice_font):
    """Everything at the longest the API takes (a 4,000-character description and basis, a plan of six such parts,
    a 200-character enterprise name, …) and an approved extension: page 1 is still the notice the enterprise signs,
    the order whole and the signature, 签收 and seal blocks under it; the long texts go on in an annex page."""
    admin = district["admin"]
    enterprise = {"name": longest("北京市示范区某某精密机械制造有限责任公司第二分厂", 200),
                  "address": longest("示范区建外街道光华路甲十号院东区三号楼一层至四层", 300),
                  "contact_name": longest("安全生产管理办公室主任", 100), "contact_phone": "+86 010-8888 8888 800 1234"}
    assert client.patch(f"{API}/enterprises/{district.plant.id}", json=enterprise, headers=admin).status_code == 200
    assert client.patch(f"{API}/areas/D1", json={"name": longest("示范区", 100)}, headers=admin).status_code == 200
    wang = district.users["wang"].id
    assert client.patch(f"{API}/users/{wang}", json={"display_name": longest("王检查员", 100)},
                        headers=admin).status_code == 200
    description = longest("二号车间东侧安全出口被成品货架和包装材料堵塞，疏散指示标志损坏，应急照明灯不亮；", 4000)
    basis = longest("《建筑设计防火规范》GB 50016-2014第5.5.17条、《消防安全责任制实施办法》第十五条；", 4000)
    hazard_id = report(client, district["wang"], district.plant.id, severity="major", description=description,
                       basis=basis).get_json()["id"]
    li = district["li"]
    assert client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={}, headers=li).status_code == 200
    plan = {field: longest(f"{field}：{text}", 4000) for field, text in PLAN.items()}
    assert client.put(f"{API}/hazards/{hazard_id}/plan", json=plan, headers=li).status_code == 200
    asked = client.post(f"{API}/hazards/{hazard_id}/extensions", json={"new_deadline": "2026-12-04",
                                                                      "reason": "防火门定制"}, headers=li)
    assert client.post(f"{API}/hazards/{hazard_id}/extensions/{asked.get_json()['id']}/decision",
                       json={"approve": True}, headers=district["zhao"]).status_code == 200

    response = client.get(notice_url(hazard_id), headers=district["wang"])
    reader, text = read_pdf(response)
    first, *rest = page_texts(reader)
    assert rest, "the long texts need more than one page"
    # Page 1: the heading, the order in full, then the signature, 签收 and seal blocks.
    assert "安全生产隐患限期整改通知书" in first and f"文书编号：隐改〔2026〕0928-" in first
    for words in ("三、整改要求", enterprise["name"] + "：", "责令你单位于2026年12月4日24时前整改完毕",
                  "原定整改期限2026年11月13日已于2026年9月28日经审核批准延期", "你单位主要负责人应当组织实施该方案",
                  "方可恢复生产经营和使用", "将依照《中华人民共和国安全生产法》第一百零二条的规定依法处理",
                  "但本通知不停止执行，法律另有规定的除外。", "五、签收", "检查人员（签名）",
                  "被检查单位负责人或安全管理人员签收", "已于2026年9月28日10:00通过系统签收（李）",
                  "检查单位（印章）", "2026年9月28日", "本通知书一式两份"):
        assert words in first, words
    assert "四、重大事故隐患治理方案" in first
    # Nothing is lost: every long text is printed whole, the rest of it on the annex page.
    annex = re.sub(r"隐患编号[0-9a-f-]{36}生成于[0-9:-]+第\d+页共\d+页", "", "".join(rest))  # the footers
    annex = re.sub(r"(隐患描述|判定依据|地址|目标和任务|方法和措施|经费和物资|机构和人员|时限和要求|安全措施和应急预案)（续）", "",
                   annex)  # a long text goes on in rows labelled （续）
    assert "全文见附页" in first and annex.startswith("附页：通知书所列事项全文")
    for value in (description, basis, enterprise["address"], *plan.values()):
        assert "".join(value.split()) in annex
    assert not any("四、签收" in page or "五、签收" in page for page in rest), "the signatures are printed once"

    # Page 1 as the enterprise sees it: an image to look at (test-artifacts/notice-major-page1.png).
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "notice-major.pdf"
    pdf.write_bytes(response.get_data())
    if shutil.which("pdftoppm") is None:
        reason = "no pdftoppm (apt-get install poppler-utils) to render the notice's first page"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / "notice-major-page1")], check=True, timeout=60)
    with Image.open(ARTIFACTS / "notice-major-page1.png") as page:
        assert page.size == (662, 936)  # A4 at 80 dpi
