"""`hotline exotel check`: what an NGO can check of its Exotel setup from here (README, "Running
in India"): the settings, and, through Exotel's API, that the ExoPhone runs the flow whose app id
is EXOTEL_FLOW_ID. What the API cannot show (each applet's URL inside the flow) it says to check
by a call."""

from __future__ import annotations

import click

from hotline.cli.common import services

OK, FAIL = "ok", "FAIL"


def checks(settings, api) -> list[tuple[str, str, str]]:
    lines = []
    for name, value in (("EXOTEL_SID, EXOTEL_API_KEY, EXOTEL_API_TOKEN", settings.exotel_configured),
                        ("EXOTEL_NUMBER", settings.exotel_number), ("EXOTEL_FLOW_ID", settings.exotel_flow_id),
                        ("EXOTEL_WEBHOOK_USER, EXOTEL_WEBHOOK_PASSWORD",
                         settings.exotel_webhook_user and settings.exotel_webhook_password),
                        ("PUBLIC_URL", (settings.public_url or "").startswith("https://"))):
        lines.append((OK, name, "set") if value else (FAIL, name, "not set (README, Running in India)"))
    if not (settings.exotel_configured and settings.exotel_number):
        return lines
    from hotline.transport.exotel import ExotelError

    try:
        phone = api.exophone()
    except ExotelError as exc:
        return lines + [(FAIL, "ExoPhone", f"Exotel's API did not list the numbers ({exc}): the key, token, "
                                           "SID and EXOTEL_SUBDOMAIN")]
    if phone is None:
        return lines + [(FAIL, "ExoPhone", "EXOTEL_NUMBER is not among the account's ExoPhones")]
    flow = settings.exotel_flow_id
    runs = phone["voice_url"].rstrip("/").rsplit("/", 1)[-1]
    if flow and runs == flow:
        lines.append((OK, "ExoPhone", f"calls run flow {flow}"))
    else:
        lines.append((FAIL, "ExoPhone", f"calls run {phone['voice_url'] or 'no flow'}, not flow {flow or '(none set)'}: "
                                        "assign the ExoPhone to the flow in App Bazaar"))
    lines.append((OK, "applets", "not readable through the API: call the ExoPhone, walk the menu in both languages, "
                                 "and place one alert call (README's first-day checks)"))
    return lines


@click.group(help="the Exotel account (India's calls and SMS)")
def exotel() -> None:
    pass


@exotel.command(help="the Exotel settings, and the ExoPhone's flow through Exotel's API")
def check() -> int:
    from hotline.transport.exotel import Exotel

    svc = services()
    lines = checks(svc.settings, Exotel(svc.settings))
    for level, name, detail in lines:
        click.echo(f"{level:4} {name}: {detail}")
    failed = sum(level == FAIL for level, _, _ in lines)
    click.echo(f"{failed} failure(s)" if failed else "every check passed", err=bool(failed))
    return 1 if failed else 0
