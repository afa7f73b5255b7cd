"""GET /healthz and GET /metrics."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
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
    return Response(current_app.extensions["hotline_metrics"].render(current().queues),
                    mimetype="text/plain; version=0.0.4")
