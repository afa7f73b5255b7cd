"""The `hotline` command: it parses arguments and calls the same functions the web app does."""

from __future__ import annotations

import argparse
import sys

from . import engine
from .clock import Clock
from .engine import transcripts


def flows_check(path: str) -> int:
    from .i18n import lint as catalog_lint

    flowset, problems = engine.load(path)
    problems = list(problems) + catalog_lint.check(path, flowset.flows)  # translations, SMS lengths, audio
    problems += beside_flows(path, flowset)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{path}: all flows are fine")
    return 0


def beside_flows(path: str, flowset) -> list:
    """The files the flows lean on, where they sit beside the flows folder: the referrals
    directory (its districts must be the flows') and the escalation policies."""
    from pathlib import Path

    from .engine.yamlsource import YAMLSourceError
    from .escalation.policies import load_policies
    from .referrals import districts_of, load_directory

    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    problems = []
    for name, check in (("referrals.yaml", lambda f: load_directory(f, districts_of(flowset))),
                        ("policies.yaml", load_policies)):
        file = folder.parent / name
        if file.exists():
            try:
                check(str(file))
            except YAMLSourceError as exc:
                problems += exc.problems
    return problems


def flows_test(path: str) -> int:
    flows_dir = path if not path.endswith(".yaml") else str(__import__("pathlib").Path(path).parent.parent)
    flows, problems = engine.load(flows_dir)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    failures, count = [], 0
    for file in transcripts.transcript_files(path):
        cases, file_problems = transcripts.read_cases(file)
        for problem in file_problems:
            print(problem)
            failures.append(problem)
        for case in cases:
            count += 1
            failure = transcripts.run_case(flows, case)
            if failure:
                print(f"FAIL {failure}")
                failures.append(failure)
    # a malformed transcript file counts as a failure of its own
    failed = len(failures)
    passed = count - sum(isinstance(f, transcripts.Failure) for f in failures)
    print(f"{passed} passed, {failed} failed")
    if not count and not failed:
        print(f"{path}: no transcript tests found", file=sys.stderr)
    return 1 if failed or not count else 0


def _chat_role(args) -> tuple[str, str]:
    """Who --from is, by the staff file (HOTLINE_STAFF, else the sample), as the webhook would
    tell: a police number talks to the police flow, staff to the staff flow; --flow wins."""
    import os

    from .config import ROOT
    from .engine.yamlsource import YAMLSourceError
    from .phones import e164
    from .staff import load_staff

    try:
        staff = load_staff(os.environ.get("HOTLINE_STAFF") or str(ROOT / "examples" / "staff.yaml"))
        role = staff.role_of(e164(args.from_number))
    except (YAMLSourceError, OSError):
        role = "survivor"
    return role, args.flow or role


def chat(args) -> int:
    """Talk to a flow in the terminal as a caller would, through the same engine and renderers."""
    from .channels import sms, voice
    from .config import DEFAULT_SAFE_WORD
    from .i18n import Catalog, detect

    flows, problems = engine.load(args.flows)
    if problems:
        for problem in problems:
            print(problem)
        return 1
    catalog = Catalog()
    clock = Clock()
    role, flow_name = _chat_role(args)
    args.flow = flow_name
    facts = {"safe_word": DEFAULT_SAFE_WORD, "channel": "voice" if args.voice else "sms",
             "role": role, "local_time": clock.now().astimezone().strftime("%H:%M"),
             "local_date": clock.now().astimezone().date().isoformat(),
             "on_shift": {"counsellor": ["en", "ta"], "ngo": ["en", "ta"]} if not args.nobody else {}}
    print(f"Talking to the {args.flow} flow as {args.from_number} ({facts['channel']}). "
          f"Safe word: {DEFAULT_SAFE_WORD}. Ctrl-D to hang up.")
    state = None
    first = True
    while True:
        prompt = "keypad/speech> " if args.voice and not first else "you> "
        try:
            line = input(prompt)
        except EOFError:
            print()
            return 0
        text = None if (args.voice and line == "") else line
        lang = args.lang or (detect(text) if state is None else None)
        result = engine.step(flows, state, engine.Event(text=text, at=clock.now().timestamp(), flow=args.flow,
                                                        lang=lang, facts=facts))
        first = False
        if args.voice:
            print(voice.as_text(voice.plan(result.outputs, result.lang, catalog, {"safe_word": DEFAULT_SAFE_WORD})))
        else:
            print("hotline> " + sms.render(result.outputs, result.lang, catalog, {"safe_word": DEFAULT_SAFE_WORD})
                  .replace("\n", "\n         "))
        for action in result.actions:
            shown = {k: v for k, v in action.items() if k not in ("type", "flow", "node") and v is not None}
            print(f"   [action] {action['type']} {shown}")
        if result.ended:
            print("   [the conversation ended]")
        state = result.state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None)

    worker = sub.add_parser("worker", help="the RQ worker with its scheduler")
    worker.add_argument("--burst", action="store_true", help="run what is queued and due, then exit")

    flows = sub.add_parser("flows", help="check and test the flows")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    check = flows_sub.add_parser("check", help="validate and lint every flow")
    check.add_argument("path", nargs="?", default="flows")
    test = flows_sub.add_parser("test", help="run the transcript tests")
    test.add_argument("path", nargs="?", default="flows")

    talk = sub.add_parser("chat", help="talk to a flow in the terminal")
    talk.add_argument("--flow", default=None, help="default: by --from (survivor, staff or police)")
    talk.add_argument("--lang", default=None)
    talk.add_argument("--voice", action="store_true", help="show the voice rendering; an empty line is silence")
    talk.add_argument("--from", dest="from_number", default="+919800000000")
    talk.add_argument("--nobody-on-shift", dest="nobody", action="store_true")
    talk.add_argument("--flows", default="flows", help=argparse.SUPPRESS)

    outbox = sub.add_parser("outbox", help="what the hotline sent through the local outbox")
    outbox.add_argument("--json", action="store_true")

    staff = sub.add_parser("staff", help="staff, roles, languages and shifts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    staff_import = staff_sub.add_parser("import", help="add and update the people of a staff file, and say "
                                                        "what changed")
    staff_import.add_argument("file")
    staff_import.add_argument("--replace", action="store_true",
                              help="also remove everyone the file does not list (their records keep their names)")
    staff_sub.add_parser("list")
    set_password = staff_sub.add_parser("set-password", help="set a console password (stdin, or asked twice)")
    set_password.add_argument("who", metavar="NAME_OR_PHONE")
    set_pin = staff_sub.add_parser("set-pin", help="a phone PIN, 4-8 digits, for calling a survivor through the "
                                                   "hotline (stdin, or asked twice)")
    set_pin.add_argument("who", metavar="NAME_OR_PHONE")

    sign_out = staff_sub.add_parser("sign-out", help="end every console session of a staff member")
    sign_out.add_argument("who", metavar="NAME_OR_PHONE")

    keys = sub.add_parser("keys", help="the keys derived from SECRET_KEY")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("rotate", help="re-encrypt and re-key everything with SECRET_KEY, opening what "
                                       "SECRET_KEY_OLD sealed (stop web and worker first)")

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    export = audit_sub.add_parser("export", help="as CSV on standard output")
    export.add_argument("--since", default=None, help="ISO date or time, e.g. 2026-11-01")

    case = sub.add_parser("case", help="a case's legal casework")
    case_sub = case.add_subparsers(dest="case_command", required=True)
    case_dir = case_sub.add_parser("dir", help="the case's Domestic Incident Report (PWDVA Form I) as a PDF")
    case_dir.add_argument("case_id", type=int, metavar="CASE_ID")
    case_dir.add_argument("--lang", choices=["en", "ta"], default=None, help="default: the language it was written in")
    case_dir.add_argument("--output", required=True, metavar="FILE.pdf")

    outreach = sub.add_parser("outreach", help="the outreach card (PDF) and press release, English and Tamil")
    outreach.add_argument("--output", required=True, metavar="card.pdf")
    outreach.add_argument("--press-release", default=None, metavar="FILE")

    args = parser.parse_args(argv)
    if args.command == "flows":
        return flows_check(args.path) if args.flows_command == "check" else flows_test(args.path)
    if args.command == "chat":
        return chat(args)
    from . import commands  # the commands that need the app's services

    return commands.run(args)


if __name__ == "__main__":
    sys.exit(main())
