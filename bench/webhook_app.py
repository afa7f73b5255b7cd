"""The app the webhook benchmark serves: the hotline, plus a bare endpoint returning fixed TwiML
(the baseline: what Flask and gunicorn cost on their own on this machine)."""

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse

from hotline.web.app import create_app

FIXED = str(MessagingResponse().message("Hello"))


def create():
    app = create_app()

    def bare():
        return Response(FIXED, mimetype="text/xml")

    # the console's CSRF protection covers every POST but the signed webhooks; the bare endpoint
    # stands for a webhook, so it is exempt as they are (both still pass through its hook)
    app.extensions["csrf"].exempt(bare)
    app.add_url_rule("/bare", "bare", bare, methods=["POST"])
    return app
