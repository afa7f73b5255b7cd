"""`hotline flows check | test`: the flows validated and linted, and their transcript tests run.
Neither needs the hotline's services (no Redis, no database)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(help="check and test the flows")
def flows() -> None:
    pass


@flows.command(help="validate and lint every flow")
@click.argument("path", default="flows")
@click.option("--production", is_flag=True,
              help="also refuse the demo's placeholder WhatsApp content SIDs and DLT ids")
def check(path: str, production: bool) -> int:
    # each command imports what it uses: `hotline --help` loads no engine, database or Redis
    from hotline import engine
    from hotline.checks import catalog as catalog_lint
    from hotline.checks import dlt as dlt_lint
    from hotline.checks import menus as menus_lint

    flowset, problems = engine.load(path)
    problems = list(problems) + catalog_lint.check(path, flowset.flows)  # translations, SMS lengths, audio
    if locales := catalog_lint.locales_for(path):  # every menu option's label, typed back, selects it
        problems += menus_lint.label_problems(flowset.flows, locales)
    problems += dlt_lint.check(path, flowset.flows)  # every SMS Exotel may send is a DLT template
    problems += beside_flows(path, flowset)
    if production:
        problems += placeholders(path)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        return 1
    click.echo(f"{path}: all flows are fine")
    return 0


def beside_flows(path: str, flowset) -> list:
    """The files the flows lean on, where they sit beside the flows folder: the referrals
    directory (its districts must be the flows'), the escalation policies and the WhatsApp
    templates (whatsapp.yaml)."""
    from hotline.config.yamlsource import YAMLSourceError
    from hotline.response.policies import load_policies
    from hotline.response.referrals import districts_of, load_directory
    from hotline.response.whatsapp_templates import load_templates

    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    problems = []
    for name, check_file in (("referrals.yaml", lambda f: load_directory(f, districts_of(flowset))),
                             ("policies.yaml", load_policies),
                             ("whatsapp.yaml", lambda f: load_templates(f, languages=_languages()))):
        file = folder.parent / name
        if file.exists():
            try:
                check_file(str(file))
            except YAMLSourceError as exc:
                problems += exc.problems
    return problems


def placeholders(path: str) -> list[str]:
    """The demo's made-up ids in the whatsapp.yaml and dlt.yaml beside the flows."""
    from hotline.checks.placeholders import placeholder_dlt_ids, placeholder_sids

    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    return placeholder_sids(folder.parent / "whatsapp.yaml") + placeholder_dlt_ids(folder.parent / "dlt.yaml")


def _languages() -> set[str]:
    from hotline.i18n.languages import Languages

    return {language.code for language in Languages()}


@flows.command(help="print dlt.yaml as it must be registered (India's DLT SMS templates)")
@click.argument("path", default="flows")
@click.option("--sample-ids", is_flag=True, help="made-up template ids for new texts (a demo, not for India)")
def dlt(path: str, sample_ids: bool) -> int:
    """Every text Exotel may send by SMS, as the template to register on the DLT portal; the ids
    of the templates already in dlt.yaml whose text is unchanged are kept, the others are empty
    until the portal gives them."""
    from hotline import engine
    from hotline.checks import dlt as dlt_lint
    from hotline.transport.dlt import parse

    flowset, _ = engine.load(path)
    _, file = dlt_lint.needed(path, flowset.flows)
    registry = parse(str(file))[0] if file is not None else None
    click.echo(dlt_lint.draft(path, flowset.flows, registry, sample_ids=sample_ids), nl=False)
    return 0


@flows.command(help="run the transcript tests")
@click.argument("path", default="flows")
def test(path: str) -> int:
    from hotline import engine
    from hotline.engine import transcripts

    flows_dir = path if not path.endswith(".yaml") else str(Path(path).parent.parent)
    flowset, problems = engine.load(flows_dir)
    for problem in problems:
        click.echo(problem)
    if problems:
        return 1
    failures, count = [], 0
    for file in transcripts.transcript_files(path):
        cases, file_problems = transcripts.read_cases(file)
        for problem in file_problems:
            click.echo(problem)
            failures.append(problem)
        for case in cases:
            count += 1
            failure = transcripts.run_case(flowset, case)
            if failure:
                click.echo(f"FAIL {failure}")
                failures.append(failure)
    # a malformed transcript file counts as a failure of its own
    failed = len(failures)
    passed = count - sum(isinstance(f, transcripts.Failure) for f in failures)
    click.echo(f"{passed} passed, {failed} failed")
    if not count and not failed:
        click.echo(f"{path}: no transcript tests found", err=True)
    return 1 if failed or not count else 0
