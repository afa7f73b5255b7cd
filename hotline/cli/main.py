"""The `hotline` command: a click group of the commands in this package (see its docstring).
It parses arguments and calls the same functions the web app and the worker do."""

from __future__ import annotations

import click

from hotline.cli import (
    audit,
    backup,
    casework,
    chat,
    db,
    doctor,
    exotel,
    flows,
    keys,
    outbox,
    processes,
    staff,
)

# the group's commands (`hotline --help` lists them by name); a new one goes here
COMMANDS = (processes.serve, processes.worker, db.db, flows.flows, chat.chat, outbox.outbox, staff.staff,
            keys.keys, audit.audit, casework.case, casework.outreach_command, doctor.doctor,
            backup.backup, backup.restore, exotel.exotel)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def hotline() -> None:
    """SMS and voice crisis line: the web server, the worker, and the tools around them."""


@hotline.result_callback()
def _exit_with(code: int | None, **_params) -> None:
    """A command returns its exit code (None: 0); a group passes on its command's."""
    click.get_current_context().exit(code or 0)


for command in COMMANDS:
    hotline.add_command(command)


if __name__ == "__main__":  # python -m hotline.cli.main
    hotline(prog_name="hotline")
