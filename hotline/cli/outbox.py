"""`hotline outbox`: what went out through the local outbox."""

from __future__ import annotations

import json

import click

from hotline.cli.common import services, staff_time


@click.command(help="what the hotline sent through the local outbox")
@click.option("--json", "as_json", is_flag=True, help="one JSON object a line")
def outbox(as_json: bool) -> int:
    """What went out, at the staff's time with its zone shown (as the console shows it)."""
    svc = services()
    for row in svc.outbound.outbox():
        at = staff_time(svc, row.at)
        channel = row.channel or ("voice" if row.call else "sms")  # rows from before #14 say none
        if as_json:
            item = {"to": row.to, "at": at.isoformat(), "channel": channel}
            item.update({"body": row.body} if row.body is not None else {"call": row.call})
            # which provider would have sent it; a DLT SMS's template and variables (Exotel), or a
            # WhatsApp template's name and variables, with (body) what it reads as
            item.update({k: v for k, v in (("provider", row.provider), ("template", row.template),
                                           ("variables", row.variables)) if v is not None})
            click.echo(json.dumps(item, ensure_ascii=False))
        else:
            what = row.body if row.body is not None else "[call] " + row.call
            if channel == "whatsapp":
                what = (f"[whatsapp template {row.template} {json.dumps(row.variables or {}, ensure_ascii=False)}] "
                        if row.template else "[whatsapp] ") + what
            elif row.provider:
                what = f"[{row.provider}" + (f" DLT {row.template}" if row.template else "") + "] " + what
            click.echo(f"{at:%Y-%m-%d %H:%M:%S} {at.tzname()}  to {row.to}  {what}")
    return 0
