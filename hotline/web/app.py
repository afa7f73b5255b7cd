"""create_app(): configuration, the hotline's services, and the blueprints.

Each blueprint is created in the module that holds its routes (the Twilio webhooks' in
twilio/blueprint.py, shared by its four route modules) and registered here; none imports this
module. The app keeps its Services in `app.extensions["hotline"]`, where
`hotline.services.current()` finds them during a request. The factory migrates nothing: the
store is brought up to date by `hotline db upgrade` (hotline.services.upgrade), which `hotline
serve`, `hotline worker`, `make run` and the Procfile's web line run first."""

from __future__ import annotations

import logging

from flask import Flask, redirect, url_for

from hotline.config.settings import Settings
from hotline.privacy.keys import cookie_key
from hotline.services import Services
from hotline.web.metrics import Metrics

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    if services is None:
        services = Services(settings or Settings.from_env())
    settings = services.settings
    refuse_unrotated(services)

    from hotline.privacy.logfilter import install

    install()  # whoever set logging up (gunicorn, RQ, a test), no number or body in its lines

    app = Flask(__name__)
    # a key of the cookies' own (hotline.privacy.keys): neither the phone hashes' nor the sealing key
    app.config["SECRET_KEY"] = cookie_key(settings.secret_key)
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # from the proxies we run, no others: the client's address (the console's login limits), and
        # the scheme, host, port and path prefix Twilio called (its signatures, absolute callbacks)
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # Twilio's posts are a few KB; refuse floods early
    app.extensions["hotline"] = services
    app.extensions["hotline_metrics"] = Metrics()

    from flask_wtf.csrf import CSRFProtect

    from hotline.web import console, exotel, health, twilio
    from hotline.web.console import casework as _casework  # noqa: F401 - its pages are console's: one login, one set of headers
    from hotline.web.console import media as _media  # noqa: F401 - WhatsApp media, for her counsellor alone
    from hotline.web.console import views as console_views

    csrf = CSRFProtect(app)  # every form of the console and the simulator carries a token
    csrf.exempt(twilio.bp)  # Twilio's webhooks are signed by Twilio instead
    csrf.exempt(exotel.bp)  # Exotel's carry the basic-auth credentials of their URLs instead
    console.init_app(app)
    app.register_blueprint(twilio.bp)
    app.register_blueprint(exotel.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(console_views.bp)
    # the address staff are given is the site's: it opens the console (login first)
    app.add_url_rule("/", "root", lambda: redirect(url_for("console.live_view")))
    if simulator_enabled(settings):
        from hotline.web import simulator

        app.register_blueprint(simulator.bp)

    if not settings.twilio_auth_token:
        log.warning("TWILIO_AUTH_TOKEN is not set: %s", "webhook signatures are NOT checked (demo mode)"
                    if settings.demo else "every /twilio webhook is refused (403); hotline doctor says what to set")
    if not (settings.exotel_webhook_user and settings.exotel_webhook_password):
        from hotline.web.exotel.auth import demo

        log.warning("EXOTEL_WEBHOOK_USER/PASSWORD are not set: /exotel webhooks are %s",
                    "open (embedded demo)" if demo(settings) else "refused (403)")
    if not settings.twilio_configured:
        log.info("no Twilio account: outbound SMS and calls go to the local outbox (hotline outbox)")
    return app


def simulator_enabled(settings: Settings) -> bool:
    """The simulator in the demo (no Twilio token at all: nothing is signed, nothing checked), or
    when HOTLINE_SIMULATOR=1 with a token but no account (then for coordinators alone, signing only
    for phones it made up). Never with a Twilio account: its phones would send real SMS."""
    if settings.twilio_configured or not settings.demo:
        return False  # outside the demo its phones would post as anyone (hotline/config/production.py)
    return not settings.twilio_auth_token or settings.simulator


def refuse_unrotated(services: Services) -> None:
    """Web and worker do not start on data sealed and keyed under another SECRET_KEY: her STOP
    would not be found under her new keyed hash. `hotline keys rotate` first (README, Security)."""
    if not services.store.up_to_date():
        raise SystemExit("the database is not up to date: run `hotline db upgrade` first (the Procfile's web line, "
                         "make run, hotline serve and hotline worker do)")
    if services.store.needs_rotation():
        raise SystemExit("the store holds numbers sealed with another key than SECRET_KEY's (a new SECRET_KEY, or "
                         "an upgrade to derived keys): stop web and worker, run `hotline keys rotate` (the old key "
                         "in SECRET_KEY_OLD), then start them again")
