"""The hazard ledger (隐患台账) as CSV and Excel, with the filters of GET /hazards."""
import csv
import io
import tempfile

import xlsxwriter
from flask import send_file
from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_today, local_tz
from api.db import session
from api.hazards.routes import filters_from
from api.hazards.schemas import HazardQuerySchema
from api.parsing import Blueprint
from inspections.ledger import COLUMNS, ledger_rows

blp = Blueprint("exports", __name__, url_prefix="/exports", description="The hazard ledger for meetings and archives.")


def _download_name(extension: str) -> str:
    """隐患台账-YYYYMMDD (today, local): a meeting's files say which day's ledger they hold."""
    return f"隐患台账-{local_today():%Y%m%d}.{extension}"


def _rows(args):
    return ledger_rows(session(), current_user(), filters_from(args), today=local_today(), tz=local_tz())


@blp.route("/hazards.csv")
class LedgerCsv(MethodView):
    @login_required()
    @blp.arguments(HazardQuerySchema, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args):
        """The ledger as CSV (UTF-8 with a byte-order mark, so Excel shows the Chinese).

        Written to a temporary file first: the database is released before a slow phone reads the answer.
        """
        spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+b")
        text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        writer.writerows(_rows(args))
        text.flush()
        text.detach()
        spool.seek(0)
        return send_file(spool, mimetype="text/csv", as_attachment=True, download_name=_download_name("csv"))


@blp.route("/hazards.xlsx")
class LedgerXlsx(MethodView):
    @login_required()
    @blp.arguments(HazardQuerySchema, location="query")
    @blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    def get(self, args):
        """The ledger as an Excel workbook (隐患台账), written in constant memory."""
        spool = tempfile.TemporaryFile()
        workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet("隐患台账")
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, COLUMNS, bold)
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(_rows(args), 1):
            sheet.write_row(number, 0, row)
        workbook.close()
        spool.seek(0)
        return send_file(spool, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         as_attachment=True, download_name=_download_name("xlsx"))
