"""`hotline flows check`: broken flows, each reported as `file:line: message` at the right line.

Each test writes one small flow into its own folder (the flow's name is the file's stem) and runs
the command, as an NGO's staff member would after editing a flow: the `hotline` click group with
the command's arguments, in this process (click's CliRunner), its standard output, standard error
and exit status kept. One test runs the real `hotline` console script.
Lines are found by the text they hold (`line(text, "goto: shelterz")`), so a test states which
line it means, not a count.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .cli import cli

ROOT = Path(__file__).resolve().parent.parent


def hotline_command() -> list[str]:
    """The venv's `hotline` console script (beside the interpreter running the tests)."""
    script = Path(sys.executable).with_name("hotline")
    if script.exists():
        return [str(script)]
    found = shutil.which("hotline")
    return [found] if found else [sys.executable, "-m", "hotline.cli.main"]


@dataclass
class Done:
    """What a run of the command left: as subprocess.CompletedProcess has it."""

    returncode: int
    stdout: str
    stderr: str


def check(path: Path) -> Done:
    """`hotline flows check PATH`, run in this process."""
    done = cli("flows", "check", str(path))
    return Done(done.exit_code, done.stdout, done.stderr)


def line(text: str, needle: str, nth: int = 1, exact: bool = False) -> int:
    """The 1-based number of the nth line of `text` that contains `needle` (or is it, `exact`)."""
    found = [i for i, row in enumerate(text.splitlines(), 1) if (row == needle if exact else needle in row)]
    assert len(found) >= nth, f"{needle!r} is not in the flow"
    return found[nth - 1]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(folder: Path) -> tuple[list[str], str]:
    """Run the check on a folder of broken flows: it must fail; its problem lines come back."""
    done = check(folder)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    return done.stdout.splitlines(), output


def assert_reported(folder: Path, name: str, text: str, *expected: tuple[str | int, str]) -> list[str]:
    """Write the flow, check its folder, and find each (where, message) as `file:line: message`,
    the line being the one that holds `where` (or `where` itself, a line number)."""
    path = write(folder, name, text)
    reported, output = problems_of(folder)
    for where, message in expected:
        want = f"{path}:{where if isinstance(where, int) else line(text, where)}: {message}"
        assert want in reported, f"expected\n  {want}\nin\n{output}"
    return reported


# A flow with nothing wrong, the base most broken flows below are made from.
GOOD = """\
flow: {name}
spec: 1
start: menu
messages:
  hello: "How can we help?"
  bye: "Take care."
  opt_talk: "Talk to someone"
  opt_end: "End"
nodes:
  menu:
    kind: menu
    say: hello
    choices:
      - key: 1
        label: opt_talk
        match: [talk]
        goto: bye
      - key: 2
        label: opt_end
        match: [end]
        goto: bye
    fallback: bye
  bye:
    kind: end
    say: bye
"""


def test_the_base_flow_is_fine(tmp_path):
    write(tmp_path, "base", GOOD.format(name="base"))
    done = check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all flows are fine" in done.stdout


def test_shipped_flows_pass():
    done = check(ROOT / "flows")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all flows are fine" in done.stdout


def test_the_real_hotline_command_checks_the_shipped_flows_and_a_broken_one(tmp_path):
    """The console script itself, once: its exit status and its two streams."""
    done = subprocess.run(hotline_command() + ["flows", "check", str(ROOT / "flows")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all flows are fine" in done.stdout
    path = write(tmp_path, "broken", GOOD.format(name="broken").replace("goto: bye\n      - key: 2", "goto: byee\n      - key: 2"))
    done = subprocess.run(hotline_command() + ["flows", "check", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.startswith(f"{path}:") and "1 problem(s)" in done.stderr, done.stdout + done.stderr


# --- the file itself --------------------------------------------------------------------------

def test_yaml_syntax_error(tmp_path):
    text = GOOD.format(name="syntax").replace("    say: bye\n", "    say: bye\n     next: menu\n")
    assert_reported(tmp_path, "syntax", text, ("     next: menu", "YAML syntax: mapping values are not allowed here"))


def test_unclosed_quote_is_named_where_it_opens_not_past_the_end(tmp_path):
    text = GOOD.format(name="quote").replace("    say: bye\n", '    say: "bye\n')
    where = line(text, 'say: "bye')
    assert where == len(text.splitlines())  # the last line: the error is found past it
    reported = assert_reported(
        tmp_path, "quote", text,
        (where, f"YAML syntax: found unexpected end of stream (while scanning a quoted scalar that starts at line {where})"))
    assert len(reported) == 1


def test_file_that_is_not_utf8(tmp_path):
    text = GOOD.format(name="latin1").replace("Take care.", "Au revoir, café.")
    path = tmp_path / "latin1.yaml"
    path.write_bytes(text.encode("latin-1"))  # é as one byte, 0xE9: not UTF-8
    reported, output = problems_of(tmp_path)
    assert f"{path}:{line(text, 'café')}: not UTF-8 text (invalid continuation byte); save the file as UTF-8" in reported, output


def test_utf8_with_a_byte_order_mark_is_fine(tmp_path):
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.format(name="bom").encode())
    done = check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_duplicate_node_id(tmp_path):
    text = GOOD.format(name="dup") + "  bye:\n    kind: end\n"
    path = write(tmp_path, "dup", text)
    reported, output = problems_of(tmp_path)
    first, second = line(text, "  bye:", 1, exact=True), line(text, "  bye:", 2, exact=True)
    assert f'{path}:{second}: duplicate key "bye" (first at line {first})' in reported, output


def test_flow_name_must_match_the_file_name(tmp_path):
    text = GOOD.format(name="survivor")
    assert_reported(tmp_path, "survivr", text, ("flow: survivor", 'flow "survivor" must live in survivor.yaml'))


# --- where nodes lead ---------------------------------------------------------------------------

def test_unknown_target_node(tmp_path):
    text = GOOD.format(name="target").replace("""\
    fallback: bye""", """\
      - key: 3
        label: opt_end
        match: [shelter]
        goto: shelterz
    fallback: bye""")
    # the problem names the choice ("menu choice 3") at the line where that choice starts
    assert_reported(tmp_path, "target", text, ("- key: 3", 'menu choice 3 goes to unknown node "shelterz"'))


def test_unreachable_node(tmp_path):
    text = GOOD.format(name="unreachable") + """\
  orphan:
    kind: message
    say: hello
    next: bye
"""
    reported = assert_reported(tmp_path, "unreachable", text,
                               ("  orphan:", 'node "orphan" is unreachable: nothing goes to it'))
    assert len(reported) == 1, reported


def test_loop_that_never_waits(tmp_path):
    text = GOOD.format(name="loop").replace("""\
        match: [end]
        goto: bye""", """\
        match: [end]
        goto: round""") + """\
  round:
    kind: message
    say: hello
    next: again
  again:
    kind: set
    set: {asked: "yes"}
    next: round
"""
    assert_reported(tmp_path, "loop", text,
                    ("  round:", 'node "round" loops forever without waiting for the caller or ending'),
                    ("  again:", 'node "again" loops forever without waiting for the caller or ending'))


def test_flow_with_no_end(tmp_path):
    text = """\
flow: endless
spec: 1
start: menu
messages:
  hello: "How can we help?"
  opt_talk: "Talk to someone"
nodes:
  menu:
    kind: menu
    say: hello
    choices:
      - key: 1
        label: opt_talk
        goto: menu
    fallback: menu
"""
    assert_reported(tmp_path, "endless", text, ("flow: endless", "no path of this flow ever ends: add a node of kind end"))


def test_missing_fallback_on_a_menu_and_an_ask(tmp_path):
    text = """\
flow: nofallback
spec: 1
start: menu
messages:
  hello: "How can we help?"
  ask_name: "What name should we use?"
  bye: "Take care."
  opt_talk: "Talk to someone"
nodes:
  menu:
    kind: menu
    say: hello
    choices:
      - key: 1
        label: opt_talk
        goto: name
  name:
    kind: ask
    say: ask_name
    answer: text
    save: name
    next: bye
  bye:
    kind: end
    say: bye
"""
    reported = assert_reported(tmp_path, "nofallback", text,
                               ("    kind: menu", 'node "menu": missing fallback:'),
                               ("    kind: ask", 'node "name": missing fallback:'))
    # only that: the menu's choices are still read, so nothing after it is called unreachable
    assert len(reported) == 2, reported


def test_unknown_flow_in_a_flow_node(tmp_path):
    text = GOOD.format(name="handover").replace("""\
        match: [end]
        goto: bye""", """\
        match: [end]
        goto: to_police""") + """\
  to_police:
    kind: flow
    flow: polize
"""
    write(tmp_path, "other", GOOD.format(name="other"))
    assert_reported(tmp_path, "handover", text, ("flow: polize", 'node "to_police" goes to unknown flow "polize"'))


def test_unknown_node_of_another_flow(tmp_path):
    text = GOOD.format(name="handover").replace("""\
        match: [end]
        goto: bye""", """\
        match: [end]
        goto: to_other""") + """\
  to_other:
    kind: flow
    flow: other
    node: nowhere
"""
    write(tmp_path, "other", GOOD.format(name="other"))
    assert_reported(tmp_path, "handover", text,
                    ("node: nowhere", 'node "to_other" goes to unknown node "nowhere" of flow "other"'))


# --- fields -------------------------------------------------------------------------------------

def test_unknown_key_with_a_did_you_mean_hint(tmp_path):
    text = GOOD.format(name="typo").replace("        goto: bye\n    fallback", "        goto: extra\n    fallback") + """\
  extra:
    kind: message
    say: hello
    nxt: bye
"""
    reported = assert_reported(tmp_path, "typo", text,
                               ("nxt: bye", 'node "extra": unknown key "nxt" (did you mean "next"?)'),
                               (line(text, "  extra:") + 1, 'node "extra": missing next:'))
    # The missing next: hides where "extra" leads, so it is not also said to loop forever, nor is
    # "bye" (which nxt: names) said to be unreachable: two problems, both real.
    assert len(reported) == 2, reported


def test_wrong_type(tmp_path):
    text = GOOD.format(name="wrongtype").replace("    fallback: bye", "    retries: two\n    fallback: bye")
    reported = assert_reported(tmp_path, "wrongtype", text,
                               ("retries: two", 'node "menu": retries must be a whole number, 0 or more'))
    assert len(reported) == 1, reported


def test_unknown_top_level_key(tmp_path):
    text = GOOD.format(name="toplevel").replace("start: menu", "start: menu\nexpires_after: 2h")
    assert_reported(tmp_path, "toplevel", text,
                    ("expires_after", 'flow: unknown key "expires_after" (did you mean "expire_after"?)'))


def test_unknown_node_kind(tmp_path):
    text = GOOD.format(name="kinds").replace("    kind: end", "    kind: finish")
    assert_reported(tmp_path, "kinds", text,
                    ("kind: finish", 'node "bye": kind "finish" is no kind (known: message, menu, ask, branch, set, action, end, flow)'))


# --- keywords -----------------------------------------------------------------------------------

def test_keyword_clash_between_two_choices(tmp_path):
    text = GOOD.format(name="clash").replace("match: [end]", "match: [end, talk]")
    assert_reported(tmp_path, "clash", text,
                    ("- key: 2", 'keyword "talk" of choice 2 is also a keyword of choice 1'))


def test_choice_keyword_taken_by_a_handler(tmp_path):
    text = GOOD.format(name="taken").replace("nodes:\n", """\
handlers:
  - id: help
    match: [help, talk]
    then: menu
nodes:
""")
    assert_reported(tmp_path, "taken", text,
                    ("- key: 1", 'keyword "talk" of node "menu" is taken by handler "help", so this choice never hears it'))


def test_handler_keyword_taken_by_an_earlier_handler(tmp_path):
    text = GOOD.format(name="handlers").replace("nodes:\n", """\
handlers:
  - id: help
    match: [help]
    then: menu
  - id: menu
    match: [menu, help]
    then: restart
nodes:
""")
    assert_reported(tmp_path, "handlers", text,
                    ("- id: menu", 'keyword "help" of handler "menu" is taken by handler "help" before it, '
                                   "so this handler never hears it"))


# --- messages -----------------------------------------------------------------------------------

def test_unknown_message_id(tmp_path):
    text = GOOD.format(name="messages").replace("    say: bye\n", "    say: goodbye\n").replace(
        "label: opt_end", "label: opt_ending")
    assert_reported(tmp_path, "messages", text,
                    ("say: goodbye", 'node "bye" says unknown message "goodbye"'),
                    ("- key: 2", 'node "menu" says unknown message "opt_ending"'))


# --- actions ------------------------------------------------------------------------------------

ACTION_FLOW = GOOD.replace("""\
        match: [talk]
        goto: bye""", """\
        match: [talk]
        goto: get_help""") + """\
  get_help:
    kind: action
    do:
{actions}
    next: bye
"""


def test_unknown_action(tmp_path):
    text = ACTION_FLOW.format(name="actions", actions="      - escalat: {priority: high, reason: asked}")
    assert_reported(tmp_path, "actions", text,
                    ("- escalat:", 'unknown action "escalat"; known: escalate, send_resources, schedule_callback, '
                                   "request_accompaniment, connect, voicemail, staff, erase, forget, opt_out, opt_in, lap_result"))


def test_bad_action_settings(tmp_path):
    text = ACTION_FLOW.format(name="settings", actions="""\
      - escalate:
          priority: soon
          reasn: asked
      - erase: everything""")
    assert_reported(tmp_path, "settings", text,
                    ("priority: soon", 'action "escalate": priority must be one of emergency, high, normal'),
                    ("reasn: asked", 'action "escalate" has no setting "reasn" (it takes priority, reason, role, quiet)'),
                    ("- escalate:", 'action "escalate" needs "reason"'),
                    ("- erase: everything", 'action "erase" takes no value'))


def test_action_reads_a_variable_nobody_sets(tmp_path):
    text = ACTION_FLOW.format(name="variables", actions="      - send_resources: {category: shelter, district: $district}")
    assert_reported(tmp_path, "variables", text,
                    ("    do:", 'action "send_resources" reads $district, which no node sets'))


def test_a_variable_set_by_an_ask_is_known(tmp_path):
    text = ACTION_FLOW.format(name="asked", actions="      - send_resources: {category: shelter, district: $district}")
    text = text.replace("        goto: get_help", "        goto: where").replace("  bye:\n", """\
  where:
    kind: ask
    say: hello
    answer: text
    save: district
    next: get_help
    fallback: bye
  bye:
""", 1)
    write(tmp_path, "asked", text)
    done = check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


# --- many problems at once ----------------------------------------------------------------------

def test_a_file_with_several_problems_reports_all_of_them(tmp_path):
    text = """\
flow: several
spec: 1
start: menu
messages:
  hello: "How can we help?"
  bye: "Take care."
  opt_talk: "Talk to someone"
  opt_end: "End"
handlers:
  - id: help
    match: [help]
    then: menu
nodes:
  menu:
    kind: menu
    say: helo
    choices:
      - key: 1
        label: opt_talk
        match: [talk, help]
        goto: bye
      - key: 2
        label: opt_end
        match: [talk]
        goto: shelterz
    retries: two
    fallback: bye
  orphan:
    kind: message
    say: hello
    next: bye
  call:
    kind: action
    do:
      - escalate: {priority: soon, reason: asked}
      - send_resources: {category: shelter, district: $district}
    next: bye
  bye:
    kind: end
    sey: bye
"""
    reported = assert_reported(
        tmp_path, "several", text,
        ("say: helo", 'node "menu" says unknown message "helo"'),
        ("retries: two", 'node "menu": retries must be a whole number, 0 or more'),
        ("- key: 1", 'keyword "help" of node "menu" is taken by handler "help", so this choice never hears it'),
        ("- key: 2", 'keyword "talk" of choice 2 is also a keyword of choice 1'),
        ("- key: 2", 'menu choice 2 goes to unknown node "shelterz"'),
        ("  orphan:", 'node "orphan" is unreachable: nothing goes to it'),
        ("  call:", 'node "call" is unreachable: nothing goes to it'),
        ("priority: soon", 'action "escalate": priority must be one of emergency, high, normal'),
        ("    do:", 'action "send_resources" reads $district, which no node sets'),
        ("sey: bye", 'node "bye": unknown key "sey" (did you mean "say"?)'),
    )
    assert len(reported) == 10, "\n".join(reported)


def test_problems_of_every_file_are_reported(tmp_path):
    first = write(tmp_path, "first", GOOD.format(name="first").replace("    say: bye\n", "    say: goodbye\n"))
    second = write(tmp_path, "second", GOOD.format(name="second").replace("    fallback: bye", "    retries: two\n    fallback: bye"))
    write(tmp_path, "fine", GOOD.format(name="fine"))
    reported, output = problems_of(tmp_path)
    assert [r.split(":")[0] for r in reported] == [str(first), str(second)], output
    assert "2 problem(s)" in output


# --- files of the wrong shape are reported, never a traceback -----------------------------------

MALFORMED = {
    "no messages": GOOD.replace("""\
messages:
  hello: "How can we help?"
  bye: "Take care."
  opt_talk: "Talk to someone"
  opt_end: "End"
""", ""),
    "match is not a list": GOOD.replace("match: [talk]", "match: 5"),
    "set is not a mapping": GOOD.replace("match: [talk]", "match: [talk]\n        set: [a]"),
    "args is a number": GOOD.replace("match: [talk]", "match: [talk]\n        args: 3"),
    "kind is a list": GOOD.replace("kind: end", "kind: [end]"),
    "languages is a number": GOOD.replace("spec: 1", "spec: 1\nlanguages: 5"),
    "handlers is text": GOOD.replace("nodes:\n", "handlers: help\nnodes:\n"),
    "handler match is text": GOOD.replace("nodes:\n", "handlers:\n  - id: h\n    match: help\n    set: 3\n    then: menu\nnodes:\n"),
    "label is a list": GOOD.replace("label: opt_talk", "label: [opt_talk]"),
    "branch without else": GOOD.replace("""\
  bye:
    kind: end""", """\
  bye:
    kind: branch
    cases:
      - when: {{lang: ta}}
        goto: menu"""),
    "flow node naming a list": GOOD.replace("kind: end\n    say: bye", "kind: flow\n    flow: [other]"),
    "a list, not a mapping": "- flow: x\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_flows_are_reported_not_raised(tmp_path, name):
    write(tmp_path, "malformed", MALFORMED[name].format(name="malformed"))
    reported, output = problems_of(tmp_path)
    assert reported and all(r.startswith(f"{tmp_path / 'malformed.yaml'}:") for r in reported), output


def _survivor_copy(tmp_path, change=None, locales=False):
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    (tmp_path / "flows").mkdir()
    text = (root / "flows" / "survivor.yaml").read_text()
    (tmp_path / "flows" / "survivor.yaml").write_text(change(text) if change else text)
    if locales:
        shutil.copytree(root / "locales", tmp_path / "locales")
    return str(tmp_path / "flows")


def test_flows_check_fails_when_the_catalogs_are_missing_beside_the_flows(tmp_path):
    assert check(_survivor_copy(tmp_path)).returncode == 1  # not "all flows are fine": she would hear English


def test_flows_check_names_the_missing_catalogs_with_file_and_line(tmp_path):
    out = check(_survivor_copy(tmp_path)).stdout
    assert "survivor.yaml:9: " in out and "speaks ta" in out and "locales" in out


def test_an_unknown_placeholder_in_a_message_is_an_error(tmp_path):
    path = _survivor_copy(tmp_path, lambda t: t.replace('"Hello. Choose a language."',
                                                        '"Hello {phone}. Choose a language."'), locales=True)
    done = check(path)
    assert done.returncode == 1
    out = done.stdout
    assert 'message "choose_language" uses {phone}, which nothing supplies' in out
    assert "survivor.yaml:24: " in out


def test_a_kind_typo_is_one_error_with_a_did_you_mean(tmp_path):
    path = _survivor_copy(tmp_path, lambda t: t.replace("  main_menu:\n    kind: menu\n", "  main_menu:\n    kind: menue\n"),
                          locales=True)
    done = check(path)
    assert done.returncode == 1
    problems = [line for line in done.stdout.splitlines() if "survivor.yaml" in line]
    assert len(problems) == 1, problems
    assert 'node "main_menu": kind "menue" is no kind (did you mean "menu"?)' in problems[0]


def test_a_menu_option_whose_label_typed_back_does_not_select_it_is_a_problem(tmp_path):
    # she reads "4 - Emergency numbers" and types the words (#27): they must choose option 4
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    shutil.copytree(ROOT / "flows", tmp_path / "flows", ignore=shutil.ignore_patterns("tests"))
    survivor = tmp_path / "flows" / "survivor.yaml"
    text = survivor.read_text(encoding="utf-8")
    survivor.write_text(text.replace("match: [numbers, number, எண்கள்]", "match: [helplines]"), encoding="utf-8")
    done = check(tmp_path / "flows")
    assert done.returncode == 1
    assert 'menu main_menu: the en label of option 4 ("Emergency numbers"), typed back, selects nothing' in done.stdout
    assert "the ta label of option 4" in done.stdout
