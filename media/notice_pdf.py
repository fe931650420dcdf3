"""The rectification notice (限期整改通知书) as an A4 PDF: layout only.

The caller (``inspections.notice``) decides every word and passes plain text and image bytes in a `Notice`;
this module knows nothing of hazards or databases. Text is set in one CJK font, embedded as a subset
(only the characters used), so the file opens alike everywhere, a phone without Chinese fonts included.
The font is chosen by path (``NOTICE_FONT_PATH``): a TrueType or OpenType/CFF file, or a collection (.ttc)
from which the Simplified Chinese face is taken. A missing or unusable font raises `NoticeFontUnavailable`
before any work is done.
"""
from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime

from fontTools.ttLib import TTCollection, TTFont, TTLibError
from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, TextMode, WrapMode, XPos, YPos
from PIL import Image, UnidentifiedImageError

# Characters every notice prints: a font without them is not a Chinese font.
_PROBE = "隐患限期整改通知书"
# Photos are printed about 80 mm wide: 1000 px is some 300 dpi, and keeps each under ~150 kB.
PHOTO_LONGEST_PX = 1000
_PHOTO_QUALITY = 80

_MARGIN = 20  # mm, left and right
_TOP = 15
_BOTTOM = 17  # room for the footer line
_BODY_PT = 10.5  # 五号, the size of Chinese forms
_LINE = 5.4  # mm between body lines
_LABEL_WIDTH = 36  # mm, the left column of the fact tables
# A table row never breaks across pages (fpdf2 refuses one taller than a page): a long text (a description
# may have 4,000 characters) goes on in rows of this many lines, labelled （续）.
_ROW_LINES = 36
_PHOTO_COLUMNS = 2
_PHOTO_ROWS = 3  # a page of photos: 2 × 3
_RED = (192, 0, 0)
_SIGNATURES_HEIGHT = 62  # mm: the signature table, the seal and the date under it
_CUT_MARK = "……（全文见附页）"


@dataclass(frozen=True)
class _Fit:
    """How the first page is set: at most ``lines`` lines of any fact (None: whole), the body size, and whether
    only each section's `Section.brief` first rows stay (``brief``: the parts after the order; ``brief_all``: all)."""

    lines: int | None = None
    body_pt: float = _BODY_PT
    line: float = _LINE
    brief: bool = False
    brief_all: bool = False


# From roomy to tight: the first that keeps the notice on one page is used (the last one in any case).
# The plan (a document of the enterprise's own) goes to the annex first, then long facts are cut ever shorter, and
# only then is the page set in 小五 (9 pt) and the facts reduced to their first rows.
_FITS = (
    _Fit(), _Fit(brief=True), _Fit(6, brief=True), _Fit(3, brief=True), _Fit(2, brief=True), _Fit(1, brief=True),
    _Fit(1, 9, 4.6, brief=True), _Fit(1, 9, 4.6, brief=True, brief_all=True),
)


class NoticeFontUnavailable(Exception):
    """The configured font cannot print the notice; ``reason`` says why in words an operator understands."""

    def __init__(self, path: str, reason: str, detail: str = ""):
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))
        self.path = path
        self.reason = reason
        self.detail = detail  # for the log: what the font library said


@dataclass(frozen=True)
class NoticePhoto:
    """One picture of the annex: its bytes (JPEG or PNG; None when they could not be had) and caption lines."""

    image: bytes | None
    caption: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """A numbered part of the notice: a heading and a two-column table of facts."""

    heading: str
    rows: tuple[tuple[str, str], ...]
    # When the first page is tightest it keeps only this many of the first rows (None: all; 0: a pointer to
    # the annex); the rest are printed whole on the annex page.
    brief: int | None = None


@dataclass(frozen=True)
class Notice:
    """Everything the notice says, as the reader will see it."""

    title: str
    number: str
    sections: tuple[Section, ...]
    order_heading: str
    addressee: str
    order: tuple[str, ...]  # paragraphs of the order itself
    signature_heading: str
    signatures: tuple[tuple[str, str], ...]  # (who signs, what is printed beside the blank)
    issuer: str  # e.g. 检查单位（印章）
    issued_on: str
    footnote: str
    reference: str  # small print at the foot of every page (the record it was made from)
    photos_heading: str = ""
    photos: tuple[NoticePhoto, ...] = ()
    photos_note: str = ""
    status_note: str = ""  # printed in red under the number (closed, void)
    author: str = ""
    created_at: datetime | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    after_order: tuple[Section, ...] = ()  # numbered parts between the order and the signatures (a plan)


def render_notice(notice: Notice, font_path: str) -> bytes:
    """The notice as PDF bytes. NoticeFontUnavailable when ``font_path`` cannot print Chinese."""
    face = font_face(font_path)
    pdf = _document(notice, font_path, face)
    fit = _FITS[0]
    pdf.add_page()
    annex = _first_page(pdf, notice, fit)
    if pdf.page_no() > 1:
        # Too long for one page: try tighter settings on this document (cheap: nothing is output), then set
        # the notice afresh with the first that fits.
        for fit in _FITS[1:]:
            start = pdf.page_no() + 1
            pdf.add_page()
            _first_page(pdf, notice, fit)
            if pdf.page_no() == start:
                break
        wraps = pdf.wraps
        pdf = _document(notice, font_path, face)
        pdf.wraps = wraps
        pdf.add_page()
        annex = _first_page(pdf, notice, fit)
    if annex:
        _annex_page(pdf, annex)
    if notice.photos:
        _photo_pages(pdf, notice)
    return bytes(pdf.output())


def _document(notice: Notice, font_path: str, face: int) -> _NoticePDF:
    pdf = _NoticePDF(notice.reference)
    try:
        pdf.add_font("notice", "", font_path, collection_font_number=face)
    except (TTLibError, OSError, ValueError, KeyError, AttributeError) as exc:
        raise NoticeFontUnavailable(font_path, "the PDF library cannot embed this font", repr(exc)) from None
    pdf.set_title(notice.title)
    pdf.set_subject(notice.number)
    pdf.set_author(notice.author)
    pdf.set_creator("隐患排查治理系统")
    pdf.set_lang("zh-CN")
    if notice.keywords:
        pdf.set_keywords(" ".join(notice.keywords))
    if notice.created_at is not None:
        pdf.set_creation_date(notice.created_at)
    pdf.alias_nb_pages()
    return pdf


def _first_page(pdf: FPDF, notice: Notice, fit: _Fit) -> list[Section]:
    """The notice itself, from the title to the footnote, set by ``fit``; returns what the annex must print
    (each section's rows that were cut short or left out, whole)."""
    annex: list[Section] = []
    _heading_block(pdf, notice)
    for section in notice.sections:
        _section_heading(pdf, section.heading, fit=fit)
        annex.append(_facts(pdf, section, fit, brief=fit.brief_all))
    _section_heading(pdf, notice.order_heading, fit=fit)
    pdf.set_font("notice", size=fit.body_pt + 1)
    _bold(pdf, lambda: _paragraph(pdf, notice.addressee, fit.line + 1))
    pdf.set_font("notice", size=fit.body_pt)
    for paragraph in notice.order:
        # Two ideographic spaces: the first-line indent of Chinese official writing.
        _paragraph(pdf, "\u3000\u3000" + paragraph, fit.line)
        pdf.ln(0.8)
    for section in notice.after_order:
        _section_heading(pdf, section.heading, fit=fit)
        annex.append(_facts(pdf, section, fit, brief=fit.brief))
    # The heading, the signatures and the seal stay together.
    _section_heading(pdf, notice.signature_heading, keep_with=_SIGNATURES_HEIGHT, fit=fit)
    _signatures(pdf, notice, fit)
    pdf.ln(2)
    pdf.set_font("notice", size=fit.body_pt - 1.5)
    _paragraph(pdf, notice.footnote, fit.line - 1)
    return [section for section in annex if section.rows]


def _annex_page(pdf: FPDF, annex: list[Section]) -> None:
    """附页: the facts the first page cut short or left out, whole."""
    pdf.add_page()
    pdf.set_font("notice", size=_BODY_PT + 1.5)
    _bold(pdf, lambda: pdf.cell(0, _LINE + 1, "附页：通知书所列事项全文（续第1页）", new_x=XPos.LMARGIN,
                                new_y=YPos.NEXT))
    pdf.ln(1)
    text_width = pdf.w - pdf.l_margin - pdf.r_margin - _LABEL_WIDTH - 4 - 2 * pdf.c_margin
    for section in annex:
        # The heading goes with the first row (up to `_ROW_LINES` lines): never left alone at a page's foot.
        pdf.set_font("notice", size=_BODY_PT)
        first_lines = _wrap(pdf, section.rows[0][1] or "—", text_width).count("\n") + 1
        _section_heading(pdf, f"{section.heading}（续）", keep_with=min(first_lines, _ROW_LINES) * _LINE + 10)
        _facts(pdf, section, _Fit(), brief=False, whole=True)


@functools.lru_cache(maxsize=8)
def _face_in(path: str, _mtime_ns: int, _size: int) -> int:
    try:
        if _is_collection(path):
            collection = TTCollection(path, lazy=True)
            faces = list(enumerate(collection.fonts))
        else:
            faces = [(0, TTFont(path, lazy=True))]
    except (TTLibError, OSError, ValueError, AssertionError, KeyError) as exc:
        raise NoticeFontUnavailable(path, "the file is not a font that can be read", str(exc)) from None
    chinese = [(number, font) for number, font in faces if _prints(font, _PROBE)]
    if not chinese:
        raise NoticeFontUnavailable(path, "the font has no Chinese characters")
    # In a collection of several scripts (Noto CJK: JP, KR, SC, TC, HK), the Simplified Chinese face.
    for number, font in chinese:
        family = str(font["name"].getDebugName(1) or "")
        if family.endswith((" SC", " CN", " GB")) or "SC " in family:
            return number
    return chinese[0][0]


def font_face(path: str) -> int:
    """The face of ``path`` that prints the notice (0 unless it is a collection); NoticeFontUnavailable if none.

    Checked once per file (and again when the file changes), so a bad setting shows at the first notice.
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise NoticeFontUnavailable(path, "the font file does not exist") from None
    except OSError as exc:
        raise NoticeFontUnavailable(path, "the font file cannot be read", exc.strerror or "") from None
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise NoticeFontUnavailable(path, "the path is not a readable file")
    return _face_in(path, stat.st_mtime_ns, stat.st_size)


def _is_collection(path: str) -> bool:
    with open(path, "rb") as file:
        return file.read(4) == b"ttcf"


def _prints(font: TTFont, text: str) -> bool:
    try:
        cmap = font.getBestCmap() or {}
    except (TTLibError, KeyError, AssertionError):
        return False
    return all(ord(char) in cmap for char in text)


# --- line breaking ------------------------------------------------------------------------------------

# Chinese line-breaking rules (禁则): these never begin a line, those never end one.
_NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】〉…—·%‰°℃,.;:?!)]}")
_NO_LINE_END = frozenset("（《「『“‘〔【〈([{")
# A run of Latin letters, digits and their punctuation (2026-10-13, 10:00, 39.90304°, GPS) breaks as one word.
_TOKENS = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:%°/\-+_#]*|\n|.", re.S)


def _wrap(pdf: FPDF, text: str, width: float) -> str:
    """``text`` with line breaks where it must break to fit ``width`` in the current font, keeping 禁则.

    fpdf2 breaks CJK text at any character, so a line could begin with "，" or split "2026"; here a closing
    mark takes the character before it down with it, and an opening mark goes down to the word it opens.
    Remembered per document (`_NoticePDF.wraps`): the first page is laid out several times over.
    """
    key = (text, round(width, 3), pdf.font_size_pt)
    wraps = getattr(pdf, "wraps", None)
    if wraps is not None and key in wraps:
        return wraps[key]
    wrapped = _wrap_now(pdf, text, width)
    if wraps is not None:
        wraps[key] = wrapped
    return wrapped


def _wrap_now(pdf: FPDF, text: str, width: float) -> str:
    lines: list[list[str]] = [[]]
    used = 0.0
    tokens = _TOKENS.findall(text)
    for token in (t for big in tokens for t in _fitting(pdf, big, width)):
        if token == "\n":
            lines.append([])
            used = 0.0
            continue
        size = pdf.get_string_width(token)
        line = lines[-1]
        if used + size > width and line:
            carried: list[str] = []
            if token[0] in _NO_LINE_START and len(line) > 1:
                carried.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in _NO_LINE_END:
                carried.insert(0, line.pop())
            lines.append(carried)
            line = lines[-1]
            used = sum(pdf.get_string_width(t) for t in carried)
        line.append(token)
        used += size
    return "\n".join("".join(line) for line in lines)


def _fitting(pdf: FPDF, token: str, width: float) -> list[str]:
    """A token too long for a whole line (an id, a URL) in characters; any other as it is."""
    return list(token) if len(token) > 1 and pdf.get_string_width(token) > width else [token]


def _paragraph(pdf: FPDF, text: str, line_height: float) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.multi_cell(0, line_height, _wrap(pdf, text, width - 2 * pdf.c_margin - 0.01), wrapmode=WrapMode.CHAR,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# --- layout ---------------------------------------------------------------------------------------------


class _NoticePDF(FPDF):
    def __init__(self, reference: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.reference = reference
        self.wraps: dict[tuple[str, float, float], str] = {}
        self.set_margins(_MARGIN, _TOP, _MARGIN)
        self.set_auto_page_break(True, margin=_BOTTOM)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-12)
        self.set_font("notice", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 4, self.reference, align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, f"第 {self.page_no()} 页 共 {{nb}} 页", align=Align.R)
        self.set_text_color(0, 0, 0)


def _bold(pdf: FPDF, draw) -> None:
    """Draw with the glyphs' outlines stroked too: CJK fonts seldom ship a bold face, and one file is enough.

    In a local graphics state (q … Q): fpdf2 sets the text mode but never sets it back.
    """
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.15):
        draw()


def _heading_block(pdf: FPDF, notice: Notice) -> None:
    # A long district name would take the title over many lines: the largest size that keeps it to two.
    width = pdf.w - pdf.l_margin - pdf.r_margin - 2 * pdf.c_margin - 0.01
    for size in (18, 16, 14):
        pdf.set_font("notice", size=size)
        title = _wrap(pdf, notice.title, width)
        if title.count("\n") < 2:
            break
    _bold(pdf, lambda: pdf.multi_cell(0, size / 2, title, align=Align.C, wrapmode=WrapMode.CHAR,
                                      new_x=XPos.LMARGIN, new_y=YPos.NEXT))
    pdf.ln(1)
    pdf.set_font("notice", size=_BODY_PT)
    pdf.cell(0, _LINE, notice.number, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if notice.status_note:
        pdf.set_text_color(*_RED)
        pdf.cell(0, _LINE, notice.status_note, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(1)
    y = pdf.get_y()
    pdf.set_line_width(0.6)
    pdf.set_draw_color(*_RED)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.ln(2)


def _section_heading(pdf: FPDF, text: str, keep_with: float = 30, fit: _Fit = _Fit()) -> None:
    """A bold heading, on a new page unless ``keep_with`` mm of what follows fit under it."""
    if pdf.get_y() > pdf.h - pdf.b_margin - keep_with:
        pdf.add_page()
    pdf.ln(1.5 if fit.body_pt == _BODY_PT else 0.8)
    pdf.set_font("notice", size=fit.body_pt + 1)
    _bold(pdf, lambda: pdf.cell(0, fit.line + 1, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT))
    pdf.ln(0.5)


def _clamp(pdf: FPDF, lines: list[str], most: int, width: float, mark: str) -> str:
    """The first ``most`` of ``lines``, the last of them shortened to end in ``mark`` within ``width``."""
    last = lines[most - 1]
    while last and pdf.get_string_width(last + mark) > width:
        last = last[:-1]
    return "\n".join([*lines[:most - 1], last + mark])


def _facts(pdf: FPDF, section: Section, fit: _Fit, *, brief: bool, whole: bool = False) -> Section:
    """A section's table, set by ``fit`` (``whole``: on the annex, nothing cut); returns the section's rows the
    annex must print whole."""
    pdf.set_font("notice", size=fit.body_pt)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    text_width = width - _LABEL_WIDTH - 4 - 2 * pdf.c_margin
    kept = section.rows if not brief or section.brief is None else section.rows[:section.brief]
    rest = list(section.rows[len(kept):])
    with pdf.table(
        col_widths=(_LABEL_WIDTH, width - _LABEL_WIDTH), width=width, first_row_as_headings=False,
        line_height=fit.line, wrapmode=WrapMode.CHAR, padding=(0.8, 2), text_align=(Align.C, Align.L),
        borders_layout=TableBordersLayout.ALL,
    ) as table:
        for label, value in kept:
            lines = _wrap(pdf, value or "—", text_width).split("\n")
            # On the first page a text of more than `_ROW_LINES` lines never leaves room for the order and the
            # signatures: only that much of it is set, to learn so cheaply (the annex prints it whole).
            most = None if whole else fit.lines or _ROW_LINES
            if most is not None and len(lines) > most:
                row = table.row()
                row.cell(label)
                row.cell(_clamp(pdf, lines, most, text_width, _CUT_MARK))
                rest.append((label, value))
                continue
            for start in range(0, len(lines), _ROW_LINES):
                row = table.row()
                row.cell(label if start == 0 else f"{label}（续）")
                row.cell("\n".join(lines[start:start + _ROW_LINES]))
        if len(kept) < len(section.rows):
            row = table.row()
            row.cell("其余事项" if kept else "全文")
            row.cell("见附页")
    # The annex keeps the section's own order of rows.
    order = {label: index for index, (label, _) in enumerate(section.rows)}
    return Section(section.heading, tuple(sorted(rest, key=lambda r: order[r[0]])))


def _signatures(pdf: FPDF, notice: Notice, fit: _Fit) -> None:
    pdf.set_font("notice", size=fit.body_pt)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    text_width = width - _LABEL_WIDTH - 8 - 4 - 2 * pdf.c_margin
    with pdf.table(
        col_widths=(_LABEL_WIDTH + 8, width - _LABEL_WIDTH - 8), width=width, first_row_as_headings=False,
        line_height=fit.line, wrapmode=WrapMode.CHAR, padding=(1.5, 2, 3, 2), text_align=(Align.C, Align.L),
        v_align="MIDDLE",
    ) as table:
        for who, printed in notice.signatures:
            row = table.row()
            row.cell(who)
            # The names above the blank for signing: a long list of them is cut short (they are in part 二).
            first, newline, rest = printed.partition("\n")
            names = _wrap(pdf, first, text_width).split("\n")
            first = _clamp(pdf, names, fit.lines, text_width, "…") if fit.lines and len(names) > fit.lines \
                else "\n".join(names)
            row.cell(first + newline + _wrap(pdf, rest, text_width))
    pdf.ln(4)
    pdf.set_x(pdf.w - pdf.r_margin - 70)
    pdf.cell(70, fit.line, notice.issuer, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_x(pdf.w - pdf.r_margin - 70)
    pdf.cell(70, fit.line, notice.issued_on, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _photo_pages(pdf: FPDF, notice: Notice) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    gap = 8
    cell_w = (width - gap * (_PHOTO_COLUMNS - 1)) / _PHOTO_COLUMNS
    image_h = 60
    caption_h = 18
    cell_h = image_h + caption_h + 3
    per_page = _PHOTO_COLUMNS * _PHOTO_ROWS
    for index, photo in enumerate(notice.photos):
        slot = index % per_page
        if slot == 0:
            pdf.add_page()
            pdf.set_font("notice", size=_BODY_PT + 1.5)
            _bold(pdf, lambda: pdf.cell(0, _LINE + 1, notice.photos_heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT))
            if notice.photos_note:
                pdf.set_font("notice", size=_BODY_PT - 1.5)
                _paragraph(pdf, notice.photos_note, _LINE - 1)
            pdf.ln(2)
            top = pdf.get_y()
        x = pdf.l_margin + (slot % _PHOTO_COLUMNS) * (cell_w + gap)
        y = top + (slot // _PHOTO_COLUMNS) * cell_h
        _photo(pdf, photo, x, y, cell_w, image_h)
        pdf.set_font("notice", size=_BODY_PT - 1.5)
        pdf.set_xy(x, y + image_h + 1)
        caption = "\n".join(_wrap(pdf, line, cell_w - 2 * pdf.c_margin) for line in photo.caption)
        pdf.multi_cell(cell_w, 4.2, caption, wrapmode=WrapMode.CHAR, align=Align.L)


def _photo(pdf: FPDF, photo: NoticePhoto, x: float, y: float, w: float, h: float) -> None:
    prepared = _printable(photo.image) if photo.image else None
    pdf.set_draw_color(160, 160, 160)
    pdf.rect(x, y, w, h)
    pdf.set_draw_color(0, 0, 0)
    if prepared is None:
        pdf.set_font("notice", size=_BODY_PT - 1)
        pdf.set_xy(x, y + h / 2 - 3)
        pdf.cell(w, 6, "（照片文件暂不可用）", align=Align.C)
        return
    data, (px_w, px_h) = prepared
    scale = min(w / px_w, h / px_h)
    draw_w, draw_h = px_w * scale, px_h * scale
    pdf.image(io.BytesIO(data), x=x + (w - draw_w) / 2, y=y + (h - draw_h) / 2, w=draw_w, h=draw_h)


def _printable(image: bytes) -> tuple[bytes, tuple[int, int]] | None:
    """The picture as a JPEG of at most `PHOTO_LONGEST_PX`, and its size; None if it cannot be decoded.

    The stored display copies are already upright, sRGB and free of metadata; JPEGs are decoded at a
    reduced scale (``draft``), so shrinking a 1600 px copy costs little.
    """
    try:
        with Image.open(io.BytesIO(image)) as picture:
            if picture.format == "JPEG" and picture.mode in ("RGB", "L") and max(picture.size) <= PHOTO_LONGEST_PX:
                picture.load()  # a whole, small JPEG goes in as it is (the PDF embeds JPEG bytes unchanged)
                return image, picture.size
            picture.draft("RGB", (PHOTO_LONGEST_PX, PHOTO_LONGEST_PX))
            small = picture.convert("RGB")
        small.thumbnail((PHOTO_LONGEST_PX, PHOTO_LONGEST_PX), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=_PHOTO_QUALITY, optimize=True)
        return out.getvalue(), small.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
