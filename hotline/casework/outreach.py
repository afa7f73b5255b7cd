"""Outreach material from the configuration: a press release of the line's numbers, and a card
for door-to-door outreach, in English and Tamil. The card is made to be harmless if an abuser
finds it: a neutral title, no word of violence, the line's number, its WhatsApp link as a QR
code, the emergency number, and the safe word explained as an ordinary way to end a chat."""

from __future__ import annotations

import io
import os
import re

import segno

from hotline.casework.labels import pgettext, say
from hotline.casework.pdf import GREY, Sheet

LANGS = ("en", "ta")  # the languages its PDF has fonts for (casework/fonts/): another script needs its font
CARD_TITLE = pgettext("casework.card_title", "Wellbeing helpline")
CARD_CALL = pgettext("casework.card_call", "Call or text, any time: {number}")
CARD_WHATSAPP = pgettext("casework.card_whatsapp", "WhatsApp: scan the code, or open {link}")
CARD_LANGS = pgettext("casework.card_languages", "In Tamil or English. Free and private.")
CARD_SAFE = pgettext("casework.card_safe_word", "To end a chat at once, send the word {safe_word}. You get an "
                                                "ordinary reply, and nothing of the chat is kept.")
CARD_EMERGENCY = pgettext("casework.card_emergency", "Emergency: 112")
PRESS_TITLE = pgettext("casework.press_title", "A helpline for women, in Tamil and English")
PRESS_BODY = pgettext("casework.press_body", "Women facing violence at home or harassment for dowry can now "
                                             "reach trained counsellors by calling or texting {number}, or on "
                                             "WhatsApp at {link}, at any hour, in Tamil or English. Counsellors "
                                             "help with safety, shelter, medical care, legal aid and the "
                                             "Domestic Incident Report under the Protection of Women from "
                                             "Domestic Violence Act, 2005. Calls and messages are private, and "
                                             "texting DELETE erases what the line holds about the number.")
PRESS_NUMBERS = pgettext("casework.press_numbers", "In an emergency: Police 112, Women Helpline 181, "
                                                   "Ambulance 108.")


def whatsapp_number(settings, env=None) -> str:
    """HOTLINE_WHATSAPP_NUMBER (may be written 'whatsapp:+91…'), else the line's own number."""
    env = os.environ if env is None else env
    return env.get("HOTLINE_WHATSAPP_NUMBER") or settings.hotline_number


def whatsapp_link(settings, env=None) -> str:
    return "https://wa.me/" + re.sub(r"\D", "", whatsapp_number(settings, env))


def shown(number: str) -> str:
    """+914400000000 -> '+91 44 0000 0000': the way people write it down."""
    import phonenumbers

    try:
        return phonenumbers.format_number(phonenumbers.parse(number, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


def _params(settings, env=None) -> dict:
    return {"number": shown(settings.hotline_number), "link": whatsapp_link(settings, env),
            "safe_word": settings.safe_word}


def press_release(settings, catalog, env=None) -> str:
    """The press release, English then Tamil, as plain text."""
    params = _params(settings, env)
    parts = []
    for lang in LANGS:
        parts += [say(catalog, PRESS_TITLE, lang), "", say(catalog, PRESS_BODY, lang, **params), "",
                  say(catalog, PRESS_NUMBERS, lang), "", ""]
    return "\n".join(parts).rstrip() + "\n"


def qr_png(link: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=2)
    out.seek(0)
    return out


def card_pdf(settings, catalog, env=None) -> bytes:
    """An A4 sheet of two cards to cut apart: English above, Tamil below."""
    params = _params(settings, env)
    pdf = Sheet("en")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    half = 297 / 2
    for n, lang in enumerate(LANGS):
        pdf.main = "tamil" if lang == "ta" else "latin"
        pdf.set_fallback_fonts(["latin" if lang == "ta" else "tamil"])
        top = 18 + n * half
        pdf.set_xy(18, top)
        pdf.para(say(catalog, CARD_TITLE, lang), 22, bold=True, height=12)
        pdf.ln(2)
        pdf.para(say(catalog, CARD_CALL, lang, **params), 15, bold=True, height=9)
        pdf.ln(2)
        pdf.set_right_margin(18 + 60)
        pdf.para(say(catalog, CARD_WHATSAPP, lang, **params), 12, height=7)
        pdf.ln(2)
        pdf.para(say(catalog, CARD_LANGS, lang), 12, height=7)
        pdf.ln(2)
        pdf.para(say(catalog, CARD_SAFE, lang, **params), 11, colour=GREY, height=6)
        pdf.ln(2)
        pdf.para(say(catalog, CARD_EMERGENCY, lang), 13, bold=True, height=8)
        pdf.set_right_margin(18)
        pdf.image(qr_png(params["link"]), x=210 - 18 - 52, y=top + 28, w=52, h=52)
        if n == 0:
            pdf.set_draw_color(150, 150, 150)
            pdf.set_dash_pattern(dash=2, gap=2)
            pdf.line(10, half, 200, half)
            pdf.set_dash_pattern()
    return pdf.bytes()
