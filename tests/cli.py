"""`hotline …` run in this process with click's CliRunner: its exit code, standard output and
standard error kept apart (result.exit_code, .stdout, .stderr). A command on the store works on
the services the test's fixtures made current (conftest.make_services)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from hotline.cli.main import hotline


def cli(*args: str, input: str | None = None) -> Result:
    """`hotline ARGS…`, with `input` as its standard input (not a terminal: as a script pipes it)."""
    return CliRunner().invoke(hotline, list(args), input=input, prog_name="hotline", catch_exceptions=False)
