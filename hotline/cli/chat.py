"""`hotline chat`: talk to a flow in the terminal as a caller would, through the same engine and
renderers as the webhooks. Needs no Redis and no database."""

from __future__ import annotations

import click


def _role(from_number: str) -> str:
    """Who --from is, by the staff file (HOTLINE_STAFF, else the sample), as the webhook would
    tell: a police number talks to the police flow, staff to the staff flow."""
    import os

    from hotline.config.settings import ROOT
    from hotline.config.yamlsource import YAMLSourceError
    from hotline.people.staff import load_staff
    from hotline.privacy.phones import e164

    try:
        staff = load_staff(os.environ.get("HOTLINE_STAFF") or str(ROOT / "examples" / "staff.yaml"))
        return staff.role_of(e164(from_number))
    except (YAMLSourceError, OSError):
        return "survivor"


@click.command(help="talk to a flow in the terminal")
@click.option("--flow", default=None, help="default: by --from (survivor, staff or police)")
@click.option("--lang", default=None)
@click.option("--voice", is_flag=True, help="show the voice rendering; an empty line is silence")
@click.option("--from", "from_number", default="+919800000000", show_default=True)
@click.option("--nobody-on-shift", "nobody", is_flag=True)
@click.option("--flows", "flows_path", default="flows", hidden=True)
def chat(flow: str | None, lang: str | None, voice: bool, from_number: str, nobody: bool, flows_path: str) -> int:
    # here, not above: `hotline --help` loads none of it
    from hotline import engine
    from hotline.channels import sms
    from hotline.channels import voice as voice_channel
    from hotline.clock import Clock
    from hotline.config.settings import DEFAULT_SAFE_WORD
    from hotline.i18n import Catalog, detect

    flows, problems = engine.load(flows_path)
    if problems:
        for problem in problems:
            print(problem)
        return 1
    catalog = Catalog()
    clock = Clock()
    role = _role(from_number)
    flow = flow or role  # --flow wins
    facts = {"safe_word": DEFAULT_SAFE_WORD, "channel": "voice" if voice else "sms",
             "role": role, "local_time": clock.now().astimezone().strftime("%H:%M"),
             "local_date": clock.now().astimezone().date().isoformat(),
             "on_shift": {"counsellor": ["en", "ta"], "ngo": ["en", "ta"]} if not nobody else {}}
    print(f"Talking to the {flow} flow as {from_number} ({facts['channel']}). "
          f"Safe word: {DEFAULT_SAFE_WORD}. Ctrl-D to hang up.")
    state = None
    first = True
    while True:
        prompt = "keypad/speech> " if voice and not first else "you> "
        try:
            line = input(prompt)
        except EOFError:
            print()
            return 0
        text = None if (voice and line == "") else line
        said_lang = lang or (detect(text) if state is None else None)
        result = engine.step(flows, state, engine.Event(text=text, at=clock.now().timestamp(), flow=flow,
                                                        lang=said_lang, facts=facts))
        first = False
        if voice:
            print(voice_channel.as_text(voice_channel.plan(result.outputs, result.lang, catalog,
                                                           {"safe_word": DEFAULT_SAFE_WORD})))
        else:
            print("hotline> " + sms.render(result.outputs, result.lang, catalog, {"safe_word": DEFAULT_SAFE_WORD})
                  .replace("\n", "\n         "))
        for effect in result.effects:
            shown = {k: v for k, v in effect.settings().items() if v is not None}
            print(f"   [action] {effect.name} {shown}")
        if result.ended:
            print("   [the conversation ended]")
        state = result.state
