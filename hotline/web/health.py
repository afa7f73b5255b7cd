"""GET /healthz and GET /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, jsonify, request
from redis.exceptions import RedisError

from hotline.services import current

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    svc = current()
    try:
        redis_ok = bool(svc.redis.ping())
    except (RedisError, OSError):
        redis_ok = False
    db_ok = svc.store.ping()
    flows = sorted(svc.flows.flows)
    ok = redis_ok and db_ok and bool(flows)
    body = {"status": "ok" if ok else "degraded", "redis": redis_ok, "database": db_ok, "flows": flows}
    return jsonify(body), 200 if ok else 503


@bp.get("/metrics")
def metrics():
    if not metrics_allowed(current().settings):
        abort(403)
    return Response(current_app.extensions["hotline_metrics"].render(current().queues),
                    mimetype="text/plain; version=0.0.4")


def metrics_allowed(settings) -> bool:
    """/metrics shows each WhatsApp contact and the emergency backlog as they happen: outside the
    demo, only to a scraper on this machine, straight (not through the proxy, which adds
    X-Forwarded-For), or to one with HOTLINE_METRICS_TOKEN as its bearer token."""
    if settings.demo:
        return True
    token = settings.metrics_token
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    return local and "X-Forwarded-For" not in request.headers
