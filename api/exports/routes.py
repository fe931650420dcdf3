"""The hazard ledger (隐患台账) as CSV and Excel, with the filters of GET /hazards."""
import csv
import io
import tempfile
from datetime import date, datetime
from urllib.parse import quote

import xlsxwriter
from flask import send_file
from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_today, local_tz
from api.db import session
from api.hazards.routes import filters_from
from api.hazards.schemas import HazardQuerySchema
from api.parsing import Blueprint
from inspections.ledger import COLUMNS, TITLES, ledger_rows

blp = Blueprint("exports", __name__, url_prefix="/exports", description="The hazard ledger for meetings and archives.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's own number formats: the cells stay dates, so offices sort, filter and subtract them.
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"


def _send(spool, mimetype: str, extension: str):
    """The file as a download named 隐患台账-YYYYMMDD (today, local: a meeting's files say which day's ledger they
    hold), with an ASCII name beside it for clients that cannot read the UTF-8 one (RFC 6266)."""
    day = f"{local_today():%Y%m%d}"
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=f"hazard-ledger-{day}.{extension}")
    name = quote(f"隐患台账-{day}.{extension}", safe="")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"hazard-ledger-{day}.{extension}\"; filename*=UTF-8''{name}")
    return response


def _rows(args):
    return ledger_rows(session(), current_user(), filters_from(args), today=local_today(), tz=local_tz())


# A cell a spreadsheet would take for a formula (OWASP's CSV injection): Excel and WPS run "=HYPERLINK(…)" or
# "=cmd|…" typed into a description when the office opens the ledger. Such text is written with a leading
# apostrophe, which they show as text and do not print.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value):
    """A ledger value as CSV text: ISO 8601 for dates and times (with the district's offset), "" for none, and text
    that would start a formula made plain text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@blp.route("/hazards.csv")
class LedgerCsv(MethodView):
    @login_required()
    @blp.arguments(HazardQuerySchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args):
        """The ledger as CSV (UTF-8 with a byte-order mark, so Excel shows the Chinese): the workbook's columns,
        dates as `YYYY-MM-DD` and times as ISO 8601 with the district's offset (`2026-09-28T10:00:00+08:00`).

        Saved as `隐患台账-YYYYMMDD.csv` (the local day of export; `hazard-ledger-YYYYMMDD.csv` for clients that
        cannot read a UTF-8 file name). Written to a temporary file first: the database is released before a
        slow phone reads the answer.
        """
        spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+b")
        text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(TITLES)
        writer.writerows([_csv_value(value) for value in row] for row in _rows(args))
        text.flush()
        text.detach()
        spool.seek(0)
        return _send(spool, "text/csv", "csv")


@blp.route("/hazards.xlsx")
class LedgerXlsx(MethodView):
    @login_required()
    @blp.arguments(HazardQuerySchema, location="query")
    @blp.response(200, content_type=XLSX)
    def get(self, args):
        """The ledger as an Excel workbook (隐患台账), one row per hazard, newest first, written in constant memory.

        Columns: 隐患编号, 企业名称, 统一社会信用代码, 所属区域, 隐患类别 (both levels: 粉尘涉爆／除尘系统), 隐患等级,
        隐患描述, 判定依据, 发现时间, 上报人, 整改期限 (the deadline in force), 原定期限 (the original deadline), 状态,
        是否逾期 (是: closed after the deadline in force, or open past it), 是否按期整改 (是: closed on or before the
        original deadline; 否: due, closed or open past the original deadline, and not; 未到期: not due yet; blank
        for a void hazard: so 是 ÷ (是 + 否) is the statistics' `on_time_rate`), 退回次数, 整改措施 (the latest
        submission's), 整改责任人 and 整改资金 (from the remediation plan, where recorded), 复查人 (who approved or
        rejected the latest re-inspection), 销号时间, 复发自.

        Dates and times are Excel dates (in the district's time zone), the header row is frozen and filtered, and
        the columns are sized for their contents. Saved as `隐患台账-YYYYMMDD.xlsx` (the local day of export;
        `hazard-ledger-YYYYMMDD.xlsx` for clients that cannot read a UTF-8 file name).
        """
        spool = tempfile.TemporaryFile()
        workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet("隐患台账")
        formats = {"date": workbook.add_format({"num_format": DATE_FORMAT}),
                   "datetime": workbook.add_format({"num_format": DATETIME_FORMAT})}
        for number, column in enumerate(COLUMNS):
            sheet.set_column(number, number, column.width)
        sheet.write_row(0, 0, TITLES, workbook.add_format({"bold": True}))
        sheet.freeze_panes(1, 0)
        last = 0
        for last, row in enumerate(_rows(args), 1):
            for number, (column, value) in enumerate(zip(COLUMNS, row)):
                if value is None:
                    continue
                if column.kind in formats:
                    # Excel has no time zones: the district's wall-clock time is what the office reads.
                    local = value.replace(tzinfo=None) if isinstance(value, datetime) else value
                    sheet.write_datetime(last, number, local, formats[column.kind])
                elif column.kind == "number":
                    sheet.write_number(last, number, value)
                else:
                    # As text always: a description starting with "=" is not a formula, an id not a number.
                    sheet.write_string(last, number, value)
        sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
        workbook.close()
        spool.seek(0)
        return _send(spool, XLSX, "xlsx")
