"""Settings from the environment, with defaults that run on a laptop with nothing installed."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SAFE_WORD = "RECIPE"  # the README names it; an innocuous word that ends a conversation
DEMO_NUMBER = "+914400000000"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_STAFF = ROOT / "examples" / "staff.yaml"  # made-up people: what a new clone starts with


def _instance() -> Path:
    return Path(os.environ.get("HOTLINE_INSTANCE", "instance")).resolve()


def private_folder(path: Path) -> Path:
    """instance/ holds the secret key, the SQLite store and the embedded Redis: its owner's only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY, or one generated once into instance/ so hashes of numbers stay stable."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    try:  # created its owner's only, at once: never readable by others, even for a moment
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made before (or by the other process starting at the same time)
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    for _ in range(50):  # the other process may not have written it yet
        key = path.read_text().strip()
        if key:
            return key
        import time

        time.sleep(0.02)
    raise SystemExit(f"{path} is empty: delete it (a new key is made) or set SECRET_KEY")


@dataclass
class Settings:
    instance: Path
    redis_url: str | None
    database_url: str
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    hotline_number: str
    public_url: str | None
    secret_key: str
    staff_file: str
    safe_word: str
    port: int
    flows_path: str = str(ROOT / "flows")
    policies_path: str = str(ROOT / "policies.yaml")
    referrals_path: str = str(ROOT / "referrals.yaml")
    retention_days: int = 180
    default_lang: str = "en"
    old_secret_keys: tuple[str, ...] = ()  # SECRET_KEY_OLD: still opens what they sealed (hotline keys rotate)
    simulator: bool = False  # HOTLINE_SIMULATOR=1: the simulator with a Twilio token (coordinators only)
    trusted_proxies: int = 0  # HOTLINE_TRUSTED_PROXIES: proxies in front whose X-Forwarded-For is believed
    whatsapp_number: str | None = None  # HOTLINE_WHATSAPP_NUMBER: the WhatsApp sender (E.164); None: no WhatsApp sends
    whatsapp_path: str = str(ROOT / "whatsapp.yaml")  # HOTLINE_WHATSAPP_TEMPLATES: the approved templates
    extra: dict = field(default_factory=dict)
    # Running in India (README): each channel's provider, and the Exotel account (issue 15)
    sms_provider: str = "twilio"  # HOTLINE_SMS_PROVIDER: twilio | exotel
    voice_provider: str = "twilio"  # HOTLINE_VOICE_PROVIDER: twilio | exotel
    exotel_sid: str | None = None
    exotel_api_key: str | None = None
    exotel_api_token: str | None = None
    exotel_subdomain: str = "api.exotel.com"  # api.in.exotel.com for an account in the Mumbai cluster
    exotel_number: str | None = None  # the ExoPhone: caller ID of every Exotel call and SMS
    exotel_flow_id: str | None = None  # the App Bazaar flow's app id (README): what staff calls ring into
    exotel_webhook_user: str | None = None  # the basic-auth credentials of the callback URLs given to Exotel
    exotel_webhook_password: str | None = None
    dlt_path: str = str(ROOT / "dlt.yaml")  # HOTLINE_DLT: the registered DLT templates
    metrics_token: str | None = None  # HOTLINE_METRICS_TOKEN: a bearer token for /metrics off loopback
    # The embedded demo, or a line that real people can reach (hotline/config/production.py)?
    # None: decided from the settings themselves; the tests may say.
    demo: bool | None = None

    def __post_init__(self):
        if self.demo is None:
            self.demo = not outside_demo(self)

    @property
    def twilio_configured(self) -> bool:
        """Outbound goes through Twilio only when both are set; otherwise to the local outbox."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def exotel_configured(self) -> bool:
        """Exotel sends for real only with the whole account; otherwise to the local outbox."""
        return bool(self.exotel_sid and self.exotel_api_key and self.exotel_api_token)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        instance = private_folder(Path(overrides.pop("instance", None) or _instance()))
        values = dict(
            instance=instance,
            redis_url=env.get("REDIS_URL") or None,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'hotline.db'}",
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            hotline_number=env.get("HOTLINE_NUMBER") or DEMO_NUMBER,
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
            secret_key="",
            staff_file=env.get("HOTLINE_STAFF") or str(SAMPLE_STAFF),
            safe_word=env.get("HOTLINE_SAFE_WORD") or DEFAULT_SAFE_WORD,
            port=int(env.get("PORT") or 5000),
            flows_path=env.get("HOTLINE_FLOWS") or str(ROOT / "flows"),
            policies_path=env.get("HOTLINE_POLICIES") or str(ROOT / "policies.yaml"),
            referrals_path=env.get("HOTLINE_REFERRALS") or str(ROOT / "referrals.yaml"),
            retention_days=int(env.get("HOTLINE_RETENTION_DAYS") or 180),
            old_secret_keys=tuple(old_secrets(env.get("SECRET_KEY_OLD"))),
            simulator=env.get("HOTLINE_SIMULATOR", "").strip().lower() in ("1", "true", "yes", "on"),
            trusted_proxies=int(env.get("HOTLINE_TRUSTED_PROXIES") or 0),
            whatsapp_number=(env.get("HOTLINE_WHATSAPP_NUMBER") or "").strip() or None,
            whatsapp_path=env.get("HOTLINE_WHATSAPP_TEMPLATES") or str(ROOT / "whatsapp.yaml"),
            sms_provider=provider(env, "HOTLINE_SMS_PROVIDER"),
            voice_provider=provider(env, "HOTLINE_VOICE_PROVIDER"),
            exotel_sid=env.get("EXOTEL_SID") or None,
            exotel_api_key=env.get("EXOTEL_API_KEY") or None,
            exotel_api_token=env.get("EXOTEL_API_TOKEN") or None,
            exotel_subdomain=env.get("EXOTEL_SUBDOMAIN") or "api.exotel.com",
            exotel_number=env.get("EXOTEL_NUMBER") or None,
            exotel_flow_id=(env.get("EXOTEL_FLOW_ID") or "").strip() or None,
            exotel_webhook_user=env.get("EXOTEL_WEBHOOK_USER") or None,
            exotel_webhook_password=env.get("EXOTEL_WEBHOOK_PASSWORD") or None,
            dlt_path=env.get("HOTLINE_DLT") or str(ROOT / "dlt.yaml"),
            metrics_token=env.get("HOTLINE_METRICS_TOKEN") or None,
        )
        values.update(overrides)
        if not values["secret_key"]:
            values["secret_key"] = _secret_key(instance)
        return cls(**values)


def outside_demo(settings, *, database: bool = True) -> list[str]:
    """The embedded demo, or a line real people can reach (hotline/config/production.py says what
    the second refuses)? Why this is not the embedded demo (empty: it is). `database=False` leaves out the store's
    kind (the tests run their demo on PostgreSQL too)."""
    reasons = []
    if settings.twilio_account_sid:
        reasons.append("TWILIO_ACCOUNT_SID is set")
    if settings.exotel_sid or settings.exotel_api_key or settings.exotel_api_token:
        reasons.append("an Exotel account is set")
    if settings.public_url:
        reasons.append("PUBLIC_URL is set")
    if database and settings.database_url.startswith("postgres"):
        reasons.append("DATABASE_URL is PostgreSQL")
    return reasons


PROVIDERS = ("twilio", "exotel")


def provider(env, name: str) -> str:
    """HOTLINE_SMS_PROVIDER / HOTLINE_VOICE_PROVIDER: twilio (the default) or exotel; anything
    else stops the start, loudly: a typo must not quietly send a survivor's SMS another way."""
    value = (env.get(name) or "twilio").strip().lower()
    if value not in PROVIDERS:
        raise SystemExit(f"{name}={value!r}: use one of {', '.join(PROVIDERS)}")
    return value


def old_secrets(raw: str | None) -> list[str]:
    """SECRET_KEY_OLD: comma-separated, newest first; blanks ignored."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]
