"""`hotline staff import | list | set-password | set-pin | sign-out`: who the hotline knows."""

from __future__ import annotations

import sys

import click

from hotline.cli.common import services


def mask(number: str) -> str:
    """hotline.privacy.phones.mask, imported when a command prints a number (phonenumbers takes
    a while to load, and `--help` prints none)."""
    from hotline.privacy.phones import mask as masked

    return masked(number)

WHO = click.argument("who", metavar="NAME_OR_PHONE")


@click.group(help="staff, roles, languages and shifts")
def staff() -> None:
    pass


@staff.command("import", help="add and update the people of a staff file, and say what changed")
@click.argument("file")
@click.option("--replace", is_flag=True,
              help="also remove everyone the file does not list (their records keep their names)")
def import_(file: str, replace: bool) -> int:
    """Load a staff file into the store (the web app and the worker see it within seconds): adds
    and updates; with `replace`, also removes whoever the file does not list. Says what changed."""
    from hotline.config.yamlsource import YAMLSourceError
    from hotline.people.staff import NameTaken, import_staff, load_staff

    svc = services()
    try:
        people = load_staff(file, svc.catalog.languages)
    except YAMLSourceError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"{file}: nothing imported; fix the lines above and import again", err=True)
        return 1
    try:
        result = import_staff(svc.store, people, replace=replace)
    except NameTaken as exc:
        for problem in exc.args[0]:
            click.echo(f"{file}: {problem}", err=True)
        click.echo(f"{file}: nothing imported; fix the lines above and import again", err=True)
        return 1
    click.echo(f"{file}: {len(people.people)} people in the file")
    for line in result.lines():
        click.echo(f"  {line}")
    if result.removed:
        from hotline.response.handback import hand_back_all

        svc.reload_staff()
        handed = hand_back_all(svc)  # the cases they held go back to the team, at once
        if handed:
            click.echo(f"  {handed} case(s) they held: open again, the team paged and the coordinator told")
    warn_of_sample(svc)
    return 0


def warn_of_sample(svc) -> None:
    """The sample file's people are made up, but their numbers look real: one left on the staff
    list (an import of the sample, or of a copy not fully edited; an import without --replace
    keeps them) would be alerted to a woman's URGENT and could take her case."""
    from hotline.people.sample import sample_numbers
    from hotline.people.staff import staff_from_store

    sample = sample_numbers()
    for person in staff_from_store(svc.store).people:  # as the import left it, not a cached copy
        if person.phone in sample:
            click.echo(f"warning: {person.name} ({mask(person.phone)}) has a number of the sample staff file "
                       "(examples/staff.yaml): nobody real. Put your own people in the file and import it "
                       "with --replace", err=True)


@staff.command("list", help="who the hotline knows, and who is on shift")
def list_() -> int:
    svc = services()
    now = svc.now()
    for person in svc.staff.people:
        here = "on shift" if person.on_shift(svc.staff.local(now)) else "off"
        click.echo(f"{person.name:24} {mask(person.phone):16} {','.join(person.roles):22} "
                   f"{','.join(person.languages):8} {here}")
    return 0


def _not_one(who: str, ambiguous: bool) -> int:
    """A staff command's NAME_OR_PHONE that names two people, or nobody: say so, exit 1."""
    if ambiguous:
        click.echo(f'more than one person is called "{who}": give the phone number instead', err=True)
    else:
        click.echo(f'nobody on the staff list is "{who}" (hotline staff list shows who is)', err=True)
    return 1


def _set_secret(who: str, what: str, setter, done: str) -> int:
    """`staff set-password` and `staff set-pin`: the first line of standard input when it is not
    a terminal (scripts), else asked twice without echo; `setter(store, who, secret)` stores it."""
    import getpass

    from hotline.people.staff import Ambiguous

    svc = services()
    if sys.stdin.isatty():
        secret = getpass.getpass(f"New {what} for {who}: ")
        if getpass.getpass("Again: ") != secret:
            click.echo(f"the two {what}s differ; nothing changed", err=True)
            return 1
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    try:
        member = setter(svc.store, who, secret)
    except Ambiguous:
        return _not_one(who, ambiguous=True)
    except LookupError:
        return _not_one(who, ambiguous=False)
    except ValueError as exc:
        click.echo(f"{exc}; nothing changed", err=True)
        return 1
    click.echo(f"{what} set for {member.name} ({mask(member.phone)}); {done}")
    return 0


@staff.command("set-password", help="set a console password (stdin, or asked twice)")
@WHO
def set_password(who: str) -> int:
    """A console password: unlocks the account and ends its sessions."""
    from hotline.web.console import auth

    return _set_secret(who, "console password", auth.set_password, "log in at /console/")


@staff.command("set-pin", help="a phone PIN, 4-8 digits, for calling a survivor through the hotline "
                               "(stdin, or asked twice)")
@WHO
def set_pin(who: str) -> int:
    """A phone PIN, without which a call is never put through to a survivor."""
    from hotline.people.pin import set_pin as store_pin

    return _set_secret(who, "phone PIN", lambda store, name, pin: store_pin(store, name, pin.strip()),
                       "she enters it when she calls the hotline")


@staff.command("sign-out", help="end every console session of a staff member")
@WHO
def sign_out(who: str) -> int:
    """Every console session of a staff member ends at its next request."""
    from hotline.people.staff import Ambiguous, find_member
    from hotline.web.console.auth import sign_out_everywhere

    store = services().store
    try:
        with store.read() as s:
            member = find_member(s, who)
    except Ambiguous:
        return _not_one(who, ambiguous=True)
    if member is None:
        return _not_one(who, ambiguous=False)
    sign_out_everywhere(store, member.id)
    store.audit("console.signed_out", staff_id=member.id, by="command")
    click.echo(f"{member.name} ({mask(member.phone)}) is signed out of every console session")
    return 0
