"""create_app(): configuration, the hotline's services, and the blueprints."""

from __future__ import annotations

import logging

from flask import Flask

from . import services as services_module
from .config import Settings
from .metrics import Metrics
from .services import Services

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    if services is None:
        services = Services(settings or Settings.from_env())
    services_module.use(services)
    settings = services.settings

    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # Twilio's posts are a few KB; refuse floods early
    app.extensions["hotline"] = services
    app.extensions["hotline_metrics"] = Metrics()

    from flask_wtf.csrf import CSRFProtect

    from . import console
    from .health import bp as health_bp
    from .twilio import bp as twilio_bp

    csrf = CSRFProtect(app)  # every form of the console and the simulator carries a token
    csrf.exempt(twilio_bp)  # Twilio's webhooks are signed by Twilio instead
    console.init_app(app)
    app.register_blueprint(twilio_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(console.bp)
    if not settings.twilio_configured:
        from .simulator import bp as simulator_bp

        app.register_blueprint(simulator_bp)

    if not settings.twilio_auth_token:
        log.warning("TWILIO_AUTH_TOKEN is not set: webhook signatures are NOT checked (demo mode)")
    if not settings.twilio_configured:
        log.info("no Twilio account: outbound SMS and calls go to the local outbox (hotline outbox)")
    return app
