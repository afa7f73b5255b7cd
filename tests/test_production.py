"""Issue 29, item 1: outside the demo (a provider account, PUBLIC_URL or PostgreSQL) the line
refuses what is only safe in the demo: unsigned or unauthenticated webhooks, the simulator, the
sample staff, the demo's placeholder ids and number; `hotline doctor` says what is missing."""

from __future__ import annotations

import base64
import re

import pytest

from hotline.config.settings import Settings

from .cli import cli
from .conftest import ROOT
from .helpers import sign, sms_form

SAMPLE_STAFF = ROOT / "examples" / "staff.yaml"
KAVITHA = "+919840000001"  # a counsellor of the tests' staff file
TOKEN = "0123456789abcdef0123456789abcdef"


def india_settings() -> dict[str, str]:
    """The README's "Running in India" block, copied as it is (its … values included)."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Running in India", 1)[1].split("Without the Exotel account", 1)[0]
    return dict(re.findall(r"\b([A-Z_]+)=(\S+)", block))


def test_the_readmes_india_settings_copied_as_they_are_leave_no_webhook_open(make_app, sqlite_url, monkeypatch):
    env = india_settings()
    assert {"EXOTEL_SID", "PUBLIC_URL", "HOTLINE_WHATSAPP_NUMBER"} <= set(env) and "TWILIO_AUTH_TOKEN" not in env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EXOTEL_WEBHOOK_USER")  # and without the Exotel webhook credentials either
    app = make_app(database_url=sqlite_url, public_url=env["PUBLIC_URL"], whatsapp_number="+919840099999",
                   exotel_webhook_user=None, exotel_webhook_password=None)
    client = app.test_client()
    # an unsigned post claiming a counsellor's number (ACK) or hers (DELETE) is not obeyed
    for body in ("ACK 12345", "DELETE", "hi"):
        assert client.post("/twilio/sms", data=sms_form(KAVITHA, body)).status_code == 403
    assert client.post("/twilio/voice", data={"From": KAVITHA, "CallSid": "CA1"}).status_code == 403
    assert client.post("/exotel/sms", data={"From": KAVITHA, "Body": "ACK 12345", "SmsSid": "x1"}).status_code == 403
    assert client.get("/simulator/").status_code == 404
    # with the token and the Exotel webhook credentials set, the same posts, signed, are answered
    # (without the README's "…" account, which no request can carry: sends go to the local outbox)
    for name in ("EXOTEL_SID", "EXOTEL_API_KEY", "EXOTEL_API_TOKEN"):
        monkeypatch.delenv(name)
    app = make_app(database_url=sqlite_url, public_url=env["PUBLIC_URL"], twilio_auth_token=TOKEN,
                   exotel_webhook_user="u", exotel_webhook_password="p")
    client = app.test_client()
    form = sms_form("+919876543210", "hi")
    signature = sign(TOKEN, env["PUBLIC_URL"] + "/twilio/sms", form)
    assert client.post("/twilio/sms", data=form, headers={"X-Twilio-Signature": signature}).status_code == 200
    auth = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
    assert client.post("/exotel/sms", data={"From": "+919876543211", "Body": "hi", "SmsSid": "s1"},
                       headers=auth).status_code == 200


def test_postgresql_alone_is_no_demo(make_app, _database_url):
    """A PostgreSQL store is a line being set up for real: nothing unsigned, no simulator."""
    client = make_app(database_url=_database_url("postgresql"), demo=None).test_client()
    assert client.post("/twilio/sms", data=sms_form("+919876543210", "hi")).status_code == 403
    assert client.get("/simulator/").status_code == 404


def test_outside_the_demo_the_sample_staff_is_never_imported(make_services, sqlite_url):
    with pytest.raises(SystemExit, match="HOTLINE_STAFF is not set"):
        make_services(database_url=sqlite_url, public_url="https://hotline.example", staff_file=str(SAMPLE_STAFF))
    # the same store (nobody imported) as the demo still starts with the sample's people
    svc = make_services(database_url=sqlite_url, staff_file=str(SAMPLE_STAFF))
    assert {p.name for p in svc.staff.people} >= {"Kavitha", "Priya"}


def test_staff_import_warns_of_the_samples_numbers(make_services, sqlite_url):
    make_services(database_url=sqlite_url)
    result = cli("staff", "import", str(SAMPLE_STAFF))
    assert result.exit_code == 0
    assert "sample staff file" in result.stderr and "--replace" in result.stderr
    assert "+919840000001" not in result.stderr  # masked, as everywhere


def test_flows_check_production_refuses_the_placeholder_ids():
    plain = cli("flows", "check", str(ROOT / "flows"))
    assert plain.exit_code == 0, plain.stdout
    production = cli("flows", "check", "--production", str(ROOT / "flows"))
    assert production.exit_code == 1
    assert re.search(r"whatsapp\.yaml:\d+: HX0+1 is a placeholder", production.stdout)
    assert re.search(r"dlt\.yaml:\d+: entity id 1101000000000000001 is made up", production.stdout)
    assert re.search(r"dlt\.yaml:\d+: template id 1107000000000000001 is made up", production.stdout)


def test_the_outreach_card_refuses_the_demo_number_outside_the_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PUBLIC_URL", "https://hotline.example")
    for name in ("HOTLINE_NUMBER", "HOTLINE_WHATSAPP_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    refused = cli("outreach", "--output", str(tmp_path / "card.pdf"))
    assert refused.exit_code == 1 and "HOTLINE_NUMBER" in refused.stderr
    assert not (tmp_path / "card.pdf").exists()
    monkeypatch.setenv("HOTLINE_NUMBER", "+914423456789")
    assert cli("outreach", "--output", str(tmp_path / "card.pdf")).exit_code == 0


def test_metrics_outside_the_demo_only_on_loopback_or_with_the_token(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url, public_url="https://hotline.example", twilio_auth_token=TOKEN,
                   metrics_token="scrape-me")
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    # through the proxy (which adds X-Forwarded-For), or from elsewhere: only with the token
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                      headers={"Authorization": "Bearer scrape-me"}).status_code == 200


# -- hotline doctor ---------------------------------------------------------------------------------


def doctor_lines(result) -> dict[str, tuple[str, str]]:
    found = {}
    for line in result.stdout.splitlines():
        level, rest = line.split(None, 1)
        if level not in ("ok", "warn", "FAIL"):
            continue  # the summary
        name, detail = rest.split(": ", 1)
        found[name] = (level, detail)
    return found


def own_staff(tmp_path) -> str:
    """The tests' staff file with numbers of its own (its usual ones are the sample's)."""
    file = tmp_path / "staff.yaml"
    file.write_text((ROOT / "tests" / "data" / "staff.yaml").read_text().replace("98400", "98411"))
    return str(file)


def test_doctor_passes_a_correctly_configured_instance(make_services, database_url, tmp_path):
    make_services(database_url=database_url, demo=None, staff_file=own_staff(tmp_path), public_url="https://hotline.example",
                  twilio_auth_token=TOKEN, twilio_account_sid="AC" + "1" * 32)
    backup = cli("backup", str(tmp_path / "store.backup"))
    assert backup.exit_code == 0, backup.stderr
    result = cli("doctor")
    lines = doctor_lines(result)
    assert result.exit_code == 0, result.stdout
    assert all(level in ("ok", "warn") for level, _ in lines.values())
    for name in ("webhooks /twilio", "webhooks /exotel", "TLS", "redis", "keys", "staff", "backup"):
        assert lines[name][0] == "ok", (name, lines[name])
    assert lines["database"][0] == ("ok" if database_url.startswith("postgres") else "warn")  # SQLite: one machine


@pytest.mark.parametrize("unsafe, failing, says", [
    (dict(twilio_auth_token=None, whatsapp_number="+919840099999"), "webhooks /twilio", "TWILIO_AUTH_TOKEN"),
    (dict(sms_provider="exotel"), "webhooks /exotel", "EXOTEL_WEBHOOK_USER"),
    (dict(public_url="http://hotline.example"), "TLS", "https://"),
    (dict(whatsapp_number="+919840099999"), "WhatsApp templates", "flows check --production"),
    (dict(sms_provider="exotel", exotel_webhook_user="u", exotel_webhook_password="p"), "DLT templates",
     "flows check --production"),
    (dict(voice_provider="exotel", exotel_webhook_user="u", exotel_webhook_password="p"), "Exotel flow",
     "EXOTEL_FLOW_ID"),
])
def test_doctor_fails_each_unsafe_setting_with_what_to_do(make_services, sqlite_url, tmp_path, unsafe, failing,
                                                          says):
    values = dict(database_url=sqlite_url, staff_file=own_staff(tmp_path), public_url="https://hotline.example", twilio_auth_token=TOKEN)
    make_services(**{**values, **unsafe})
    result = cli("doctor")
    assert result.exit_code == 1
    level, detail = doctor_lines(result)[failing]
    assert level == "FAIL" and says in detail


def test_doctor_fails_a_staff_list_with_the_samples_people(make_services, sqlite_url):
    make_services(database_url=sqlite_url, public_url="https://hotline.example", twilio_auth_token=TOKEN)
    cli("staff", "import", str(SAMPLE_STAFF))
    result = cli("doctor")
    level, detail = doctor_lines(result)["staff"]
    assert result.exit_code == 1 and level == "FAIL" and "--replace" in detail


def test_doctor_fails_a_redis_that_evicts(make_services, sqlite_url, own_redis):
    import redis

    server = redis.Redis.from_url(own_redis.url)
    server.config_set("maxmemory", "100mb")
    server.config_set("maxmemory-policy", "allkeys-lru")
    make_services(database_url=sqlite_url, redis_url=own_redis.url, public_url="https://hotline.example",
                  twilio_auth_token=TOKEN)
    result = cli("doctor")
    level, detail = doctor_lines(result)["redis"]
    assert result.exit_code == 1 and level == "FAIL" and "noeviction" in detail


def test_settings_from_the_environment_know_the_demo(monkeypatch, tmp_path):
    for name in ("PUBLIC_URL", "TWILIO_ACCOUNT_SID", "EXOTEL_SID", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert Settings.from_env(instance=tmp_path, secret_key="x").demo
    monkeypatch.setenv("DATABASE_URL", "postgresql://hotline@localhost/hotline")
    assert not Settings.from_env(instance=tmp_path, secret_key="x").demo
