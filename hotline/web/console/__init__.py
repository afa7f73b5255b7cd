"""The web console for counsellors and coordinators, under /console.

Server-rendered pages; the only script refreshes the live view's table. Logins are salted
hashes with a lock after repeated failures (auth.py), sessions are Flask's cookies signed with
SECRET_KEY (Flask-Login), and every form carries a CSRF token (Flask-WTF's CSRFProtect, set up
in create_app).

The blueprint, `bp`, is created in views.py with its routes; create_app calls init_app() here
and registers views.bp."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_login import LoginManager

SESSION_HOURS = 12  # a login lasts a shift at most


def init_app(app: Flask) -> None:
    """Sessions and logins for the console (create_app calls this before registering views.bp)."""
    from hotline.web.console import auth

    svc = app.extensions["hotline"]
    public = svc.settings.public_url or ""
    app.config.update(
        SESSION_COOKIE_NAME="hotline_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=public.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session it belongs to
    )
    manager = LoginManager()
    manager.login_view = "console.login"
    manager.login_message = "Please log in."
    manager.login_message_category = "info"  # a notice, not a green "done" (base.html)
    manager.session_protection = "strong"
    manager.init_app(app)

    @manager.user_loader
    def _load(session_id: str):
        return auth.load_user(svc.store, svc.settings.secret_key, session_id)
