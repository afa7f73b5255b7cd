"""`hotline doctor`: one line per production check, each failure with what to do; exit 1 on a
failure. The same rules the web app applies (hotline/config/production.py), said before the line
opens rather than found out by a woman whose message was refused."""

from __future__ import annotations

from datetime import timedelta

import click

OK, WARN, FAIL = "ok", "warn", "FAIL"
BACKUP_AGE = timedelta(days=2)  # a daily backup (deploy/) that stopped is a failure by the second day


@click.command(help="check a production instance's settings: one line per check, exit 1 on a failure")
def doctor() -> int:
    from hotline.cli.common import setup_logging
    from hotline.services import current

    setup_logging()
    svc = current()
    lines = list(checks(svc))
    for level, name, detail in lines:
        click.echo(f"{level:4}  {name}: {detail}")
    failed = sum(level == FAIL for level, _, _ in lines)
    click.echo(f"{failed} failure(s)" if failed else "every check passed", err=bool(failed))
    return 1 if failed else 0


def checks(svc):
    from hotline.config.settings import outside_demo

    s = svc.settings
    if s.demo:
        yield WARN, "mode", ("the embedded demo (no provider account, PUBLIC_URL or PostgreSQL): webhooks open to "
                             "the simulator, the sample staff. Not for real people")
    else:
        yield OK, "mode", "production (" + "; ".join(outside_demo(s)) + ")"
    yield twilio_webhooks(s)
    yield exotel_webhooks(s)
    if s.voice_provider == "exotel" and not s.demo:
        yield exotel_flow(s)
    yield public_url(s)
    if not s.demo and not s.trusted_proxies:
        yield WARN, "proxy", ("HOTLINE_TRUSTED_PROXIES is 0: behind Caddy set it to 1, or every console login "
                              "seems to come from 127.0.0.1 and one address's limits lock out everyone")
    yield from stores(svc)
    yield from staff(svc)
    yield from templates(s)
    yield last_backup(s)


def twilio_webhooks(s):
    if s.twilio_auth_token:
        return OK, "webhooks /twilio", "every request must carry a valid X-Twilio-Signature"
    if s.demo:
        return WARN, "webhooks /twilio", "not checked (the demo)"
    used = s.twilio_account_sid or s.whatsapp_number or "twilio" in (s.sms_provider, s.voice_provider)
    if not used:
        return OK, "webhooks /twilio", "refused (403): Twilio is not used"
    return FAIL, "webhooks /twilio", ("TWILIO_AUTH_TOKEN is not set, so every /twilio webhook answers 403: set it "
                                      "to the account's Auth Token (Twilio console, Account info)")


def exotel_webhooks(s):
    if s.exotel_webhook_user and s.exotel_webhook_password:
        return OK, "webhooks /exotel", "every request must carry the basic-auth credentials"
    if s.demo:
        return WARN, "webhooks /exotel", "open to the simulator (the demo)"
    if "exotel" not in (s.sms_provider, s.voice_provider) and not s.exotel_configured:
        return OK, "webhooks /exotel", "refused (403): Exotel is not used"
    return FAIL, "webhooks /exotel", ("EXOTEL_WEBHOOK_USER and EXOTEL_WEBHOOK_PASSWORD are not set, so every /exotel "
                                      "webhook answers 403: set both to long random values and put them in the "
                                      "URLs at Exotel (README, Running in India)")


def exotel_flow(s):
    """Calls on Exotel run through the App Bazaar flow (README): staff alert calls ring it by id."""
    if s.exotel_flow_id:
        return OK, "Exotel flow", f"alert calls ring app {s.exotel_flow_id}; its applets call /exotel/gather …"
    return FAIL, "Exotel flow", ("EXOTEL_FLOW_ID is not set, so alert calls to staff ask Exotel for a URL it never "
                                 "fetches: build the flow (README, Running in India) and set its app id")


def public_url(s):
    if s.demo:
        return WARN, "TLS", "no PUBLIC_URL (the demo)"
    if not s.public_url:
        return FAIL, "TLS", ("PUBLIC_URL is not set: set it to the https:// address the providers call "
                             "(Caddy in front: deploy/Caddyfile)")
    if not s.public_url.startswith("https://"):
        return FAIL, "TLS", f"PUBLIC_URL is {s.public_url}: it must be https:// (Caddy in front: deploy/Caddyfile)"
    return OK, "TLS", f"PUBLIC_URL {s.public_url}"


def stores(svc):
    s = svc.settings
    kind = "PostgreSQL" if s.database_url.startswith("postgres") else "SQLite"
    if not svc.store.ping():
        yield FAIL, "database", f"{kind} does not answer: check DATABASE_URL and that the server runs"
        return
    if not svc.store.up_to_date():
        yield FAIL, "database", f"{kind}, not up to date: run `hotline db upgrade`"
    elif kind == "SQLite" and not s.demo:
        yield WARN, "database", "SQLite: one machine only; PostgreSQL for more than one (DATABASE_URL)"
    else:
        yield OK, "database", f"{kind}, up to date"
    if svc.store.up_to_date() and svc.store.needs_rotation():
        yield FAIL, "keys", "data sealed under another key: stop web and worker, run `hotline keys rotate` (README, Security)"
    elif s.old_secret_keys and not s.demo:
        yield WARN, "keys", "rotated: remove SECRET_KEY_OLD once `hotline keys rotate` reported nothing unreadable"
    elif s.demo:
        yield OK, "keys", "rotated"
    else:
        generated = s.instance / "secret_key"
        given = not (generated.exists() and generated.read_text().strip() == s.secret_key)
        yield OK, "keys", "rotated; SECRET_KEY " + ("from the environment" if given else
                                                    f"generated in {s.instance}/secret_key: keep a copy apart")
    yield redis_check(svc)


def redis_check(svc):
    import redis

    from hotline.store.redis_conn import RedisURLError

    s = svc.settings
    kind = "embedded" if not s.redis_url else "REDIS_URL"
    try:
        memory = svc.redis.info("memory")
    except RedisURLError as exc:
        return FAIL, "redis", str(exc)
    except (redis.RedisError, OSError):
        return FAIL, "redis", f"{kind}: does not answer; start it, or check REDIS_URL"
    policy, limit = memory.get("maxmemory_policy"), int(memory.get("maxmemory") or 0)
    if limit and policy != "noeviction":
        return FAIL, "redis", (f"maxmemory-policy {policy} evicts queued alerts and conversations when full: "
                               "set maxmemory-policy noeviction")
    if not s.redis_url and not s.demo:
        return WARN, "redis", "the embedded one (instance/): a Redis server for more than one machine (REDIS_URL)"
    return OK, "redis", f"{kind}, " + (f"maxmemory-policy {policy}" if limit else "no maxmemory (never evicts)")


def staff(svc):
    from hotline.config.production import is_sample_staff
    from hotline.people.sample import sample_numbers
    from hotline.people.staff import staff_from_store

    s = svc.settings
    if not svc.store.up_to_date():
        return
    people = staff_from_store(svc.store).people
    sample = sample_numbers()
    made_up = [p.name for p in people if p.phone in sample]
    if s.demo:
        yield WARN, "staff", f"{len(people)} people (the demo's sample)"
    elif made_up:
        yield FAIL, "staff", (f"{', '.join(made_up)}: numbers of the sample staff file (nobody real): import your "
                              "own file with `hotline staff import --replace FILE`")
    elif not people:
        yield FAIL, "staff", "nobody on the staff list: set HOTLINE_STAFF to your staff file, or `hotline staff import FILE`"
    elif is_sample_staff(s.staff_file):
        yield WARN, "staff", f"{len(people)} people; HOTLINE_STAFF is not set (a new store would refuse to start)"
    else:
        yield OK, "staff", f"{len(people)} people, none of the sample's numbers"


def templates(s):
    from hotline.checks.placeholders import placeholder_dlt_ids, placeholder_sids

    if s.demo:
        yield WARN, "templates", "the shipped placeholder ids (the demo)"
        return
    if s.whatsapp_number:
        found = placeholder_sids(s.whatsapp_path)
        yield ((FAIL, "WhatsApp templates", f"{len(found)} placeholder content SID(s) in {s.whatsapp_path}: "
                "`hotline flows check --production` names them") if found else
               (OK, "WhatsApp templates", "content SIDs set"))
    if s.sms_provider == "exotel":
        found = placeholder_dlt_ids(s.dlt_path)
        yield ((FAIL, "DLT templates", f"{len(found)} made-up id(s) in {s.dlt_path}: "
                "`hotline flows check --production` names them") if found else
               (OK, "DLT templates", "ids set"))


def last_backup(s):
    from hotline.store.backup import last_backup as taken

    at = taken(s.instance)
    if at is None:
        return WARN, "backup", "none yet: `hotline backup FILE` (deploy/ runs it daily)"
    from hotline.clock import Clock

    age = Clock().now() - at  # the one clock (tests move it through Services; here, the machine's)
    if age > BACKUP_AGE and not s.demo:
        return FAIL, "backup", f"the last was {at:%Y-%m-%d %H:%M} UTC, {age.days} days ago: is the daily backup running?"
    return OK, "backup", f"the last was {at:%Y-%m-%d %H:%M} UTC"
