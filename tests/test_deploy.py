"""Issue 29, item 4: the systemd units in deploy/ run what the Procfile runs, as a dedicated user
that restarts on failure, with its instance folder 0700 and the system read-only."""

from __future__ import annotations

import configparser
import shlex

from .conftest import ROOT

VENV_BIN = "/opt/hotline/.venv/bin/"


def unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(ROOT / "deploy" / name)
    return parser["Service"]


def procfile() -> dict[str, list[list[str]]]:
    """Each Procfile line's commands, `&&` apart, without `exec`."""
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    return {name: [[w for w in shlex.split(part) if w != "exec"] for part in command.split("&&")]
            for name, command in lines.items()}


def run(command: str) -> list[str]:
    words = shlex.split(command)
    return [words[0].removeprefix(VENV_BIN), *words[1:]]


def test_the_units_run_the_procfiles_commands_as_a_dedicated_user_in_a_private_folder():
    web, worker = unit("hotline-web.service"), unit("hotline-worker.service")
    assert [run(web["ExecStartPre"]), run(web["ExecStart"])] == procfile()["web"]
    assert [run(worker["ExecStart"])] == procfile()["worker"]
    for service in (web, worker, unit("hotline-backup.service")):
        assert service["User"] == "hotline" and service["EnvironmentFile"] == "/etc/hotline/hotline.env"
        assert service["StateDirectoryMode"] == "0700" and service["UMask"] == "0077"
        assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "true"
    for service in (web, worker):
        assert service["Restart"] == "on-failure"
