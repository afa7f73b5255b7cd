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
        variables = json.loads(svc.store.unseal(row.variables) or "{}") if row.template else None
        if as_json:
            item = {"to": row.to, "at": at.isoformat(), "channel": channel}
            item.update({"body": row.body} if row.body is not None else {"call": row.call})
            if row.template:  # a WhatsApp template: its name, its variables, and (body) what it reads as
                item.update(template=row.template, variables=variables)
            click.echo(json.dumps(item, ensure_ascii=False))
        else:
            what = row.body if row.body is not None else "[call] " + row.call
            if row.template:
                what = f"[whatsapp template {row.template} {json.dumps(variables, ensure_ascii=False)}] {what}"
            elif channel == "whatsapp":
                what = f"[whatsapp] {what}"
            click.echo(f"{at:%Y-%m-%d %H:%M:%S} {at.tzname()}  to {row.to}  {what}")
    return 0
