"""No phone number and no message body in any log line, whoever logs it.

Twilio's REST errors name the number they refused ("The 'To' number +91… is not a valid phone
number"), a request's form carries `Body=`, and RQ logs each failed job's whole chained
traceback. `Scrub` renders each record (message, arguments, exception and stack), masks every
E.164-looking number the way hotline.privacy.phones.mask does and cuts out message bodies, and leaves
the record holding only that text. `install()` puts it on every handler there is (the root's,
gunicorn's error log, RQ's) and in the record factory, so a handler added later (RQ adds its
own when a worker starts) gets clean records too."""

from __future__ import annotations

import logging
import re

from hotline.privacy.phones import mask

# +91 98400 00001, +919840000001, +91-98400-00001, %2B919840000001 (URL-encoded, as in a form)
NUMBER = re.compile(r"(?:\+|%2B|\b00)(?:[\s\-.()]?\d){7,15}\b", re.IGNORECASE)
# an Indian mobile number without its +: Exotel's 09876543210, WhatsApp's WaId 919876543210, or
# the bare ten digits (a mobile number starts with 6-9)
INDIAN = re.compile(r"\b(?:0|91)?[6-9]\d{9}\b")
# a message body as a form field, a JSON or Python mapping entry, or TwiML's <Message>/<Say>
BODY = re.compile(
    r"""(?P<form>\b(?:Body|MessageBody|SpeechResult)=)[^&\s'"]*"""
    r"""|(?P<map>['"](?:body|Body|text|words|message_body|MessageBody|SpeechResult)['"]\s*[:=]\s*)"""
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"""|(?P<tag><(?:Message|Say|Body)\b[^>]*>)[^<]*""",
)
WITHHELD = "[withheld]"


def _number(match: re.Match) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw[3:] if raw.upper().startswith("%2B") else raw)
    return mask("+" + digits.lstrip("0") if raw.startswith("00") else "+" + digits)


def scrub(text: str) -> str:
    """`text` with every number masked and every message body withheld."""
    if not text:
        return text

    def body(match: re.Match) -> str:
        lead = match.group("form") or match.group("map") or match.group("tag")
        return lead + (WITHHELD if not match.group("map") else f'"{WITHHELD}"')

    return INDIAN.sub(_indian, NUMBER.sub(_number, BODY.sub(body, text)))


def _indian(match: re.Match) -> str:
    digits = match.group(0)
    return mask("+91" + digits[-10:])


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Render the record's message, exception and stack once, scrubbed; drop what they came
    from (the arguments, the live exception), so no formatter can render them again."""
    if getattr(record, "_hotline_scrubbed", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: keep what there is
        message = f"{record.msg} {record.args}"
    record.msg, record.args = scrub(str(message)), ()
    if record.exc_info and record.exc_info != (None, None, None):
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = scrub(text)
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text)
    record.exc_info = None
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    record._hotline_scrubbed = True
    return record


class Scrub(logging.Filter):
    """A handler's filter: every record it passes is scrubbed (see scrub_record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


_FILTER = Scrub()
_factory_installed = False


def install() -> None:
    """The filter on every handler of every logger there is now, and the record factory for
    records made from now on (a handler added later sees them already scrubbed)."""
    global _factory_installed
    if not _factory_installed:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            if record.exc_info or record.args or record.stack_info or NUMBER.search(str(record.msg)) \
                    or BODY.search(str(record.msg)):
                scrub_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
    loggers = [logging.getLogger()] + [logger for logger in logging.Logger.manager.loggerDict.values()
                                       if isinstance(logger, logging.Logger)]
    for logger in loggers:
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
