"""`hotline keys rotate`: everything sealed and keyed again under SECRET_KEY."""

from __future__ import annotations

import click

from hotline.cli.common import services


@click.group(help="the keys derived from SECRET_KEY")
def keys() -> None:
    pass


@keys.command(help="re-encrypt and re-key everything with SECRET_KEY, opening what SECRET_KEY_OLD "
                   "sealed (stop web and worker first)")
def rotate() -> int:
    """Re-encrypt every sealed field with the key of SECRET_KEY and re-key every caller key
    (hotline.store.rotation.rotate); the old secrets come from SECRET_KEY_OLD."""
    from hotline.store.rotation import Unreadable
    from hotline.store.rotation import rotate as rotate_keys

    svc = services()
    try:
        done = rotate_keys(svc.store, svc.settings.secret_key, list(svc.settings.old_secret_keys), redis=svc.redis)
    except Unreadable as refused:
        # finishing would leave them under a key about to be dropped: unreadable for good
        click.echo(f"not rotated, nothing changed: {refused.result.unreadable} encrypted value(s) open with no key "
                   f"given ({refused}). Put every earlier SECRET_KEY in SECRET_KEY_OLD and run it again.", err=True)
        raise SystemExit(1) from None
    click.echo(f"{done.resealed} encrypted field(s) re-encrypted with the current key; {done.rekeyed} row(s) re-keyed "
               f"from {done.numbers} known number(s); {done.redis_keys} Redis key(s) renamed")
    if done.unmatched:
        click.echo(f"{done.unmatched} row(s) keyed by a number the store no longer holds: left under the old key "
                   "(an opt-out of someone with no case among them: she is asked again by STOP)", err=True)
    return 0
