"""The app the webhook benchmark serves: the hotline, plus a bare endpoint returning fixed TwiML
(the baseline: what Flask and gunicorn cost on their own on this machine)."""

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse

from hotline.app import create_app

FIXED = str(MessagingResponse().message("Hello"))


def create():
    app = create_app()

    @app.post("/bare")
    def bare():
        return Response(FIXED, mimetype="text/xml")

    return app
