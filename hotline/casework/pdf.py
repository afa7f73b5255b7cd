"""PDFs in English and Tamil with fpdf2: text shaped by HarfBuzz (set_text_shaping), so Tamil's
conjuncts and vowel signs come out as written. The fonts are vendored (fonts/, OFL): Noto Sans
Tamil, and Noto Sans cut down to Latin for the English and the numbers; each falls back on the
other for text in the other script."""

from __future__ import annotations

import logging
from pathlib import Path

from fpdf import FPDF

from hotline.casework import dir_form
from hotline.casework.labels import pgettext, say

FONTS = Path(__file__).parent / "fonts"
FACES = {"tamil": "NotoSansTamil-{style}.ttf", "latin": "NotoSans-{style}-Latin.ttf"}
GREY = (90, 90, 90)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO
ZERO_WIDTH_SPACE = 0x200B


class Sheet(FPDF):
    """An A4 page with the vendored fonts and text shaping on; `lang` picks the main face."""

    def __init__(self, lang: str = "en", footer_text: str = "", header_text: str = ""):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.header_text = header_text  # a draft's DRAFT, at the top of every page
        for family, pattern in FACES.items():
            self.add_font(family, "", str(FONTS / pattern.format(style="Regular")))
            self.add_font(family, "B", str(FONTS / pattern.format(style="Bold")))
        self.set_text_shaping(True)
        self.main, other = ("tamil", "latin") if lang == "ta" else ("latin", "tamil")
        self.set_fallback_fonts([other])
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, 18)
        self.set_creator("hotline")

    def style(self, size: float = 11, bold: bool = False, colour=(0, 0, 0)) -> None:
        # fpdf2 skips set_font when the font is unchanged, but a cell that ended in the fallback
        # face leaves that face selected in the page: forget the current font, so it is set again
        self.font_family = ""
        self.set_font(self.main, "B" if bold else "", size)
        self.set_text_color(*colour)

    def para(self, text: str, size: float = 11, bold: bool = False, colour=(0, 0, 0), height: float | None = None,
             align: str = "L") -> None:
        self.style(size, bold, colour)
        self.multi_cell(0, height or size * 0.55, text, align=align, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        if self.will_page_break(24):
            self.add_page()
        self.ln(1.5)
        self.style(11.5, True)
        self.set_fill_color(232, 230, 242)
        self.multi_cell(0, 7, text, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def header(self) -> None:
        # on every page, not the first alone: a page of a draft printed on its own still says so
        if self.header_text:
            self.para(self.header_text, 11, bold=True, colour=(170, 0, 0))
            self.ln(1)

    def footer(self) -> None:
        if not self.footer_text:
            return  # the outreach card: nothing but what is on it
        self.set_y(-12)
        self.style(8, colour=GREY)
        self.cell(0, 5, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="R")

    def bytes(self) -> bytes:
        # A vowel sign drawn before its consonant (கெ, கே, கை …) is a glyph of its own that
        # HarfBuzz gives no text (the cluster's text goes with the consonant's glyph), and fpdf2
        # leaves it out of the ToUnicode map, so a reader copying the text makes up a character
        # for it. Mapped to a zero-width space, copying and searching see the words as written.
        for font in self.fonts.values():
            subset = getattr(font, "subset", None)
            for glyph, _code in (subset.items() if subset is not None else ()):
                if glyph is not None and isinstance(glyph.unicode, tuple) and not glyph.unicode:
                    glyph.unicode = (ZERO_WIDTH_SPACE,)
        return bytes(self.output())


YES = pgettext("casework.yes", "Yes")
NO = pgettext("casework.no", "No")
NONE = "—"
TITLE = pgettext("casework.dir_title", "Domestic Incident Report")
FORM = pgettext("casework.dir_form", "Form I [see rule 5(1) and (2)], Protection of Women from Domestic Violence "
                                     "Rules, 2006")
DRAFT = pgettext("casework.dir_draft", "DRAFT: not final, not for the court")
REF = pgettext("casework.dir_reference", "Case {case}, report {report}")
RESPONDENT = pgettext("casework.dir_respondent", "Respondent {n}")
CHILD = pgettext("casework.dir_child", "Child {n}")
COPIES = pgettext("casework.dir_copies", "Copies forwarded to")
NOT_YET = pgettext("casework.dir_not_forwarded", "Not forwarded yet.")
SIGN_HER = pgettext("casework.dir_sign_her", "Signature or thumb impression of the aggrieved person")
COUNTERSIGN = pgettext("casework.dir_countersign", "Countersignature of the Protection Officer or service "
                                                   "provider, with date")
SEAL = pgettext("casework.dir_seal", "Seal")
WHEN_WHERE = pgettext("casework.dir_when_where", "Date, place and time")
PAGE = pgettext("casework.page", "Page")


def dir_pdf(catalog, report, case_ref: str | None = None) -> bytes:
    """The DIR `report` (incident_reports.Report) in its own language, as Form I lays it out."""
    lang = report.lang
    c = report.content

    def t(label, **params):
        return say(catalog, label, lang, **params)

    ref = t(REF, case=case_ref or report.case_id, report=report.id)
    pdf = Sheet(lang, footer_text=f"{t(TITLE)} · {ref} · {t(PAGE)}",
                header_text=t(DRAFT) if report.status != "final" else "")
    pdf.add_page()
    pdf.para(t(FORM), 9, colour=GREY)
    pdf.para(t(TITLE), 18, bold=True, height=10)
    pdf.para(ref, 10, colour=GREY)
    for section in dir_form.SECTIONS:
        pdf.heading(t(section.title))
        if section.key == "respondents":
            _groups(pdf, t, c, "respondent", dir_form.RESPONDENTS, RESPONDENT, section.fields)
        elif section.key == "children":
            _groups(pdf, t, c, "child", dir_form.CHILDREN, CHILD, section.fields)
        elif section.key == "incidents":
            for kind, label in dir_form.INCIDENT_KINDS.items():
                _incident(pdf, t, c, kind, label)
            for key in ("dowry_items", "incident_other"):
                _field(pdf, t(dir_form.FIELDS[key].label), c.get(key, NONE))
        else:
            for f in section.fields:
                value = (t(YES) if c.get(f.key) else t(NO)) if f.kind == "check" else c.get(f.key, NONE)
                _field(pdf, t(f.label), day(value) if f.kind == "date" else value)
    pdf.heading(t(COPIES))
    if report.forwardings:
        from hotline.casework.incident_reports import FORWARD_TO, VIA

        for fw in report.forwardings:
            pdf.para(f"{t(FORWARD_TO[fw.to])}: {fw.name or NONE} — {day(fw.sent_on)}, {VIA.get(fw.via, fw.via)}",
                     10)
    else:
        pdf.para(t(NOT_YET), 10)
    _signatures(pdf, t, c)
    return pdf.bytes()


def day(text: str | None) -> str:
    """A stored date (YYYY-MM-DD) as Form I and an Indian court write it, dd/mm/yyyy; anything
    else as it was written."""
    from datetime import date

    try:
        return date.fromisoformat(text or "").strftime("%d/%m/%Y")
    except ValueError:
        return text or NONE


def _incident(pdf: Sheet, t, c: dict, kind: str, label) -> None:
    """One kind of violence as Form I has it: whether it happened; the form's columns (date,
    place and time; the person who caused it); its list of acts, each ticked or not; her words."""
    ticked = bool(c.get(f"incident_{kind}"))
    _field(pdf, t(label), t(YES) if ticked else t(NO))
    if not ticked and not c.get(f"incident_{kind}_details"):
        return
    when = [day(c[f"incident_{kind}_on"]) if c.get(f"incident_{kind}_on") else "",
            c.get(f"incident_{kind}_time", ""), c.get(f"incident_{kind}_place", "")]
    _field(pdf, t(WHEN_WHERE), ", ".join(w for w in when if w) or NONE)
    _field(pdf, t(dir_form.WHEN[3][1]), c.get(f"incident_{kind}_by", NONE))
    acts = dir_form.ACTS[kind]
    pdf.para("\n".join(f"[{'x' if c.get(f'incident_{kind}_act_{act}') else ' '}] {t(text)}"
                        for act, text in acts.items()), 10)
    pdf.ln(1)
    pdf.para(c.get(f"incident_{kind}_details", NONE), 10.5)
    pdf.ln(1.5)


def _signatures(pdf: Sheet, t, c: dict) -> None:
    """Form I's foot: on the left her signature or thumb impression, with the place and date; on
    the right the Protection Officer's or service provider's countersignature with the date, and
    her or his name, address and seal (name and address as section 8 gives them; the rest by hand)."""
    if pdf.will_page_break(75):
        pdf.add_page()
    pdf.ln(14)
    top = pdf.get_y()
    her = ((dir_form.FIELDS["recorded_place"].label, c.get("recorded_place", "")),
           (dir_form.FIELDS["recorded_on"].label, day(c["recorded_on"]) if c.get("recorded_on") else ""))
    officer = ((dir_form.FIELDS["name"].label, c.get("recorded_by", "")),
               (dir_form.FIELDS["respondent_1_address"].label, c.get("recorded_address", "")),
               (SEAL, ""))
    bottom = top
    for x, title, rows in ((18, SIGN_HER, her), (115, COUNTERSIGN, officer)):
        pdf.line(x, top, x + 77, top)
        pdf.set_xy(x, top + 1)
        pdf.style(8, colour=GREY)
        pdf.multi_cell(77, 4, t(title), align="L", new_x="LEFT", new_y="NEXT")
        pdf.ln(2)
        for label, value in rows:
            pdf.set_x(x)
            pdf.style(9, True, GREY)
            pdf.cell(22, 6, t(label))
            pdf.style(10)
            pdf.multi_cell(55, 6, value or "_" * 22, align="L", new_x="LEFT", new_y="NEXT")
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom)


LABEL_WIDTH = 62


def _field(pdf: Sheet, label: str, value: str) -> None:
    """One row: the label on the left, what was written on the right (wrapped as it needs)."""
    if pdf.will_page_break(12):
        pdf.add_page()
    top = pdf.get_y()
    pdf.style(9, True, GREY)
    pdf.multi_cell(LABEL_WIDTH - 3, 5.2, label, align="L", new_x="LMARGIN", new_y="NEXT")
    below_label = pdf.get_y()
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.style(10.5)
    pdf.multi_cell(0, 5.6, value, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(below_label, pdf.get_y()) + 0.8)


def _groups(pdf: Sheet, t, c: dict, prefix: str, count: int, title, fields) -> None:
    shown = False
    for n in range(1, count + 1):
        group = [f for f in fields if f.key.startswith(f"{prefix}_{n}_")]
        if not any(c.get(f.key) for f in group):
            continue
        shown = True
        pdf.para(t(title, n=n), 10.5, bold=True)
        for f in group:
            _field(pdf, t(f.label), c.get(f.key, NONE))
    if not shown:
        pdf.para(NONE, 10.5)
