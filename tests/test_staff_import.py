"""`hotline staff import` (#21): without --replace it adds and updates and says what changed;
--replace removes whoever the file does not list; languages are checked against the catalogs
(with the code she probably meant), numbers with phonenumbers.is_valid_number, and a role
written into a name is not shown twice."""

from __future__ import annotations

import pytest

from hotline.cli.audit import since_date

from .cli import cli

HEAD = "timezone: Asia/Kolkata\nstaff:\n"
KAVITHA = "  - {name: Kavitha, phone: '+91 98400 00001', roles: [counsellor], languages: [ta, en], shifts: ['mon-sun 00:00-24:00']}\n"


@pytest.fixture
def svc(make_app, sqlite_url):
    return make_app(database_url=sqlite_url).extensions["hotline"]


def names(svc) -> list[str]:
    svc.reload_staff()
    return [p.name for p in svc.staff.people]


def test_an_import_adds_and_updates_and_says_so_and_only_replace_removes(svc, tmp_path):
    before = names(svc)
    assert "Meena" in before and len(before) > 2
    staff = tmp_path / "staff.yaml"
    staff.write_text(HEAD + KAVITHA.replace("[ta, en]", "[en, ta]")
                     + "  - {name: Lakshmi, phone: '098400 00009', roles: [counsellor], languages: [ta]}\n")
    done = cli("staff", "import", str(staff))
    assert done.exit_code == 0
    out = done.stdout
    assert "added: Lakshmi" in out and "updated: Kavitha (languages)" in out
    assert "not in the file, kept: " in out and "Meena" in out and "--replace" in out
    after = names(svc)
    assert set(after) == set(before) | {"Lakshmi"}  # nobody disappeared: the only NGO representative stays
    assert svc.staff.find("+919840000001").languages == ["en", "ta"]

    done = cli("staff", "import", str(staff))
    assert done.exit_code == 0 and "unchanged: 2" in done.stdout

    done = cli("staff", "import", "--replace", str(staff))
    assert done.exit_code == 0
    out = done.stdout
    assert "removed: " in out and "Meena" in out
    assert names(svc) == ["Kavitha", "Lakshmi"]


def test_a_language_that_is_no_catalog_is_refused_with_the_code_meant(svc, tmp_path):
    staff = tmp_path / "staff.yaml"
    staff.write_text(HEAD + KAVITHA.replace("[ta, en]", "[tamil, englsh, xx]"))
    done = cli("staff", "import", str(staff))
    assert done.exit_code == 1
    err = done.stderr
    assert f'{staff}:3: Kavitha: unknown language "tamil"' in err and 'did you mean "ta"?' in err
    assert 'unknown language "englsh"' in err and 'did you mean "en"?' in err
    assert 'unknown language "xx"' in err and "known: en (English), ta (Tamil)" in err
    assert "nothing imported" in err
    assert svc.staff.find("+919840000001").languages == ["ta", "en"]  # as it was


def test_a_number_that_cannot_exist_is_refused(svc, tmp_path):
    staff = tmp_path / "staff.yaml"
    staff.write_text(HEAD + KAVITHA.replace("+91 98400 00001", "98400 0000"))  # nine digits
    done = cli("staff", "import", str(staff))
    assert done.exit_code == 1
    assert f'{staff}:3: Kavitha: "98400 0000" is not a phone number' in done.stderr


def test_a_role_written_into_a_name_is_shown_once(svc, tmp_path):
    staff = tmp_path / "staff.yaml"
    staff.write_text(HEAD + "  - {name: Meena (NGO), phone: '+91 98400 00003', roles: [ngo], languages: [en]}\n"
                     "  - {name: 'Priya (Coordinator)', phone: '+91 98400 00004', roles: [coordinator]}\n")
    assert cli("staff", "import", str(staff)).exit_code == 0
    assert names(svc)[:2] == ["Meena", "Priya"]


def test_audit_export_since_takes_yesterday_and_day_first_dates_and_refuses_others_plainly(svc):
    from datetime import date

    assert since_date("yesterday", date(2026, 11, 30)) == date(2026, 11, 29)
    assert since_date("today", date(2026, 11, 30)) == date(2026, 11, 30)
    assert since_date("30/11/2026", date(2026, 12, 5)) == date(2026, 11, 30)
    assert since_date("2026-11-30", date(2026, 12, 5)) == date(2026, 11, 30)
    svc.store.audit("test.event")
    done = cli("audit", "export", "--since", "yesterday")
    assert done.exit_code == 0 and "test.event" in done.stdout
    done = cli("audit", "export", "--since", "30/11/2099")
    assert done.exit_code == 0 and "test.event" not in done.stdout
    done = cli("audit", "export", "--since", "last tuesday")
    assert done.exit_code == 2
    assert 'give a day as today, yesterday, 30/11/2026' in done.stderr


def test_outbox_and_audit_times_are_the_staffs_with_the_zone_shown(svc):
    """The console shows IST; so do `hotline outbox` and `hotline audit export` (not bare UTC)."""
    import json
    import re
    from datetime import UTC, datetime

    from sqlalchemy import select

    from hotline.store.models import Audit

    svc.outbound.sms("+919876543210", "hello")
    svc.store.audit("test.event")
    with svc.store.session() as s:
        stored = s.scalars(select(Audit).where(Audit.event == "test.event")).one().at
    local = stored.replace(tzinfo=UTC).astimezone(svc.staff.zone)
    done = cli("outbox")
    assert done.exit_code == 0
    line = done.stdout.splitlines()[-1]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d IST  to ", line), line
    done = cli("outbox", "--json")
    assert done.exit_code == 0
    assert json.loads(done.stdout.splitlines()[-1])["at"].endswith("+05:30")
    done = cli("audit", "export")
    assert done.exit_code == 0
    row = next(r for r in done.stdout.splitlines() if "test.event" in r)
    assert row.startswith(local.isoformat(timespec="seconds") + ",") and "+05:30" in row
    assert datetime.fromisoformat(row.split(",")[0]).astimezone(UTC).replace(tzinfo=None, microsecond=0) == \
        stored.replace(microsecond=0)


def test_a_cli_command_prints_no_alembic_info_lines(tmp_path):
    """`hotline db upgrade` migrates (quietly); a command on a store it has not brought up to date
    says to run it, and changes nothing."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    hotline = Path(sys.executable).with_name("hotline")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    env.pop("LOG_LEVEL", None)

    def run(*args):
        return subprocess.run([str(hotline), *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=120)

    refused = run("outbox")
    assert refused.returncode == 1 and "hotline db upgrade" in refused.stderr, refused.stderr
    for args in (("db", "upgrade"), ("outbox",)):
        done = run(*args)
        assert done.returncode == 0, done.stderr
        assert "alembic" not in done.stderr.lower() and "INFO" not in done.stderr, done.stderr


def test_two_people_of_one_name_are_refused_and_a_removal_says_which(svc, tmp_path):
    """Two Kavithas: one could not log in by name nor be given a password (#33); the file is
    refused, and whoever an import removes or keeps is named with her number's last digits."""
    staff = tmp_path / "staff.yaml"
    staff.write_text(HEAD + KAVITHA + KAVITHA.replace("00001", "00009").replace("Kavitha", "kavitha"))
    done = cli("staff", "import", str(staff))
    assert done.exit_code == 1
    assert f"{staff}:4: kavitha is listed twice (also line 3)" in done.stderr and "nothing imported" in done.stderr
    # a new Kavitha beside the one already on the list (an import without --replace keeps her)
    staff.write_text(HEAD + KAVITHA.replace("00001", "00009"))
    done = cli("staff", "import", str(staff))
    assert done.exit_code == 1 and "Kavitha (+91•••••••009): Kavitha (+91•••••••001) is already called that" \
        in done.stderr
    assert [p.phone for p in svc.staff.people if p.name == "Kavitha"] == ["+919840000001"]  # as it was
    done = cli("staff", "import", "--replace", str(staff))  # the new Kavitha instead of the old
    assert done.exit_code == 0 and "removed: Kavitha (+91•••••••001)" in done.stdout
    assert cli("staff", "set-password", "Kavitha", input="a long enough password\n").exit_code == 0


def test_the_first_upgrade_says_it_imported_the_sample_staff_on_the_staffs_clock(tmp_path):
    """`make run` on a fresh clone: its `hotline db upgrade` says, once, that the store now holds
    the sample's made-up people (alerts go to their numbers), in a log line whose time is the
    staff's with its zone, as the console shows times (#33)."""
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    hotline = Path(sys.executable).with_name("hotline")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    env.pop("LOG_LEVEL", None)
    env.pop("HOTLINE_STAFF", None)
    first, again = (subprocess.run([str(hotline), "db", "upgrade"], capture_output=True, text=True, env=env,
                                   cwd=tmp_path, timeout=120) for _ in range(2))
    said = [line for line in first.stderr.splitlines() if "staff:" in line]
    assert len(said) == 1 and "the sample's 5 made-up people (Kavitha, Anjali, Meena, Priya, SI Ramesh)" in said[0]
    assert "hotline staff import FILE --replace" in said[0]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} IST WARNING ", said[0]), said[0]
    assert again.returncode == 0 and "staff:" not in again.stderr
