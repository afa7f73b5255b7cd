"""The console's pages: login, live view, cases, rota and reports."""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from hotline import services
from hotline.casework import erasure
from hotline.casework.erasure import CaseErased
from hotline.response import relay, risk
from hotline.store.models import Case, Escalation
from hotline.web.console import auth, cases, changes, chart, live, reports, rota
from hotline.web.console.format import duration, local

# no inline script or style, nothing from elsewhere (her media and voicemails come through the
# console's own routes, #30); forms post and pages navigate only here (navigate-to: where it is
# supported); no plugins, frames or workers
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; media-src 'self'; "
       "manifest-src 'self'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; navigate-to 'self'; base-uri 'none'")


bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")


def svc():
    return services.current()


@bp.after_request
def _headers(response: Response) -> Response:
    """Nothing of a case is kept by a shared computer's browser, framed by another site, or run
    from anywhere but here."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", CSP)  # her media sets its own: a sandbox
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.app_errorhandler(403)
def _forbidden(error):
    if not request.path.startswith("/console"):
        return error
    return render_template("console/error.html", title="Not for your role",
                           message="This page is for coordinators. Your alerts and cases are under Live "
                                   "and Cases."), 403


@bp.app_errorhandler(404)
def _not_found(error):
    if not request.path.startswith("/console"):
        return error
    return render_template("console/error.html", title="Not found",
                           message="There is nothing here, or it is not yours to see."), 404


@bp.errorhandler(CaseErased)
def _case_erased(error: CaseErased):
    """Staff tried to add to an erased case (casework/erasure.py): refused, said so on its page."""
    flash(erasure.REFUSED, "error")
    return redirect(url_for("console.case_view", case_id=error.case_id))


@bp.app_errorhandler(CSRFError)
def _csrf_refused(error: CSRFError):
    return render_template("console/error.html", title="Form expired",
                           message="The form was refused (its security token was missing or out of date). "
                                   "Go back, reload the page and try again."), 400


@bp.context_processor
def _helpers():
    zone = svc().staff.zone
    return {"duration": duration, "local": lambda moment, pattern="%d %b %H:%M": local(moment, zone, pattern),
            "user": current_user}


def coordinator_only(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.coordinator:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapped)


def _back(default: str) -> str:
    """Where to go after a form: a path of this site only (never an open redirect)."""
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc \
            and "\\" not in target:
        return target
    return default


# -- logging in ---------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("console.live_view"))
    error = None
    if request.method == "POST":
        s = svc()
        result = auth.attempt(s.store, s.settings.secret_key, request.form.get("name", ""),
                              request.form.get("password", ""), address=request.remote_addr or "",
                              redis=s.redis)
        if result.user is not None:
            session.clear()  # a new session for a new login
            login_user(result.user)
            return redirect(_back(url_for("console.live_view")))
        if result.busy:
            error = "The console is busy. Try again in a minute."
        elif result.throttled:
            error = "Too many failed attempts. Wait 15 minutes and try again."
        else:
            error = "That name or number and password do not match."
        status = 429 if result.throttled else 401
        return render_template("console/login.html", error=error, next=request.args.get("next", "")), status
    return render_template("console/login.html", error=error, next=request.args.get("next", ""))


@bp.post("/logout")
@login_required
def logout():
    """Ends the session at once, on the server too: her session version moves on, so this
    cookie (and any copy of it, and her other sessions) opens nothing any more."""
    staff_id = current_user.id
    auth.sign_out_everywhere(svc().store, staff_id)
    svc().store.audit("console.logout", staff_id=staff_id)
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("console.login"))


# -- the live view ------------------------------------------------------------------------------


@bp.get("/")
@login_required
def live_view():
    s = svc()
    return render_template("console/live.html", escalations=live.escalations(s, current_user, s.now()))


@bp.get("/live/table")
@login_required
def live_table():
    """The live view's table alone: the page's script swaps it in every few seconds."""
    s = svc()
    return render_template("console/_live_table.html", escalations=live.escalations(s, current_user, s.now()))


@bp.post("/escalations/<int:escalation_id>/<command>")
@login_required
def escalation_command(escalation_id: int, command: str):
    if command not in changes.BUTTONS:
        abort(404)
    if command == "done" and request.form.get("confirmed") != "yes":
        # DONE closes her case and tells her so: one more tap, on a page that says what it does
        with svc().store.session() as s:
            e = s.get(Escalation, escalation_id)
            from hotline.web.console.access import may_view
            if e is None or not may_view(s, current_user, s.get(Case, e.case_id)):
                abort(404)
            code, case_id = e.code, e.case_id
        return render_template("console/confirm_done.html", escalation_id=escalation_id, code=code,
                               case_id=case_id, next=_back(url_for("console.live_view")))
    try:
        reply = changes.run_command(svc(), current_user, escalation_id, command)
    except LookupError:
        abort(404)
    flash(reply)
    return redirect(_back(url_for("console.live_view")))


# -- cases --------------------------------------------------------------------------------------


@bp.get("/cases")
@login_required
def case_list():
    status = request.args.get("status") or None
    return render_template("console/cases.html", rows=cases.case_list(svc(), current_user, status), status=status)


@bp.get("/cases/<int:case_id>")
@login_required
def case_view(case_id: int):
    s = svc()
    view = cases.load(s, current_user, case_id)
    if view is None:
        abort(404)  # not hers, or not there: the same answer
    s.store.audit("case.viewed", view.case.caller_key if view.case.caller_key != "erased" else None,
                  staff_id=current_user.id, case=case_id)
    holds = any(h.case_id == case_id for h in relay.held_by(s, current_user.id))
    return render_template("console/case.html", view=view, record_kinds=cases.RECORD_KINDS, lap_outcomes=cases.LAP_OUTCOMES,
                           checklist=risk.CHECKLIST,
                           now_local=s.staff.local(s.now()), holds=holds)


def _case_or_404(case_id: int) -> Case:
    from hotline.web.console.access import may_view

    with svc().store.session() as s:
        case = s.get(Case, case_id)
        if case is None or not may_view(s, current_user, case):
            abort(404)
        return case


@bp.post("/cases/<int:case_id>/reply")
@login_required
def reply(case_id: int):
    """Write to the person of a case she holds, as `48213 text` by SMS: through the relay, which
    asks reach.py again before it sends (STOP, the safe word, a closed case, her window)."""
    _case_or_404(case_id)
    flash(changes.reply(svc(), current_user, case_id, request.form.get("text", "")))
    return redirect(url_for("console.case_view", case_id=case_id))


@bp.post("/cases/<int:case_id>/notes")
@login_required
def add_note(case_id: int):
    _case_or_404(case_id)
    text = request.form.get("text", "")
    if not text.strip():
        flash("A note needs some text.", "error")
    else:
        flash(changes.add_note(svc(), current_user, case_id, text))
    return redirect(url_for("console.case_view", case_id=case_id))


@bp.post("/cases/<int:case_id>/followups")
@login_required
def add_followup(case_id: int):
    _case_or_404(case_id)
    s = svc()
    try:
        due = datetime.strptime(request.form.get("due", ""), "%Y-%m-%dT%H:%M").replace(tzinfo=s.staff.zone)
    except ValueError:
        flash("A follow-up needs a date and time.", "error")
        return redirect(url_for("console.case_view", case_id=case_id))
    changes.add_followup(s, current_user, case_id, due, request.form.get("note", ""))
    flash(f"Follow-up set for {local(due, s.staff.zone, '%d %b %Y %H:%M')}.")
    return redirect(url_for("console.case_view", case_id=case_id))


@bp.post("/cases/<int:case_id>/lap-outcome")
@login_required
def lap_outcome(case_id: int):
    """What came of a screened-in LAP: she spoke, she declined, or no counsellor reached her."""
    _case_or_404(case_id)
    outcome = request.form.get("outcome", "")
    if outcome not in cases.LAP_OUTCOMES:
        abort(400)
    if not changes.lap_outcome(svc(), current_user, case_id, request.form.get("escalation_id", type=int), outcome):
        abort(404)
    flash(f"Recorded: {cases.LAP_OUTCOMES[outcome]}.")
    return redirect(url_for("console.case_view", case_id=case_id))


@bp.post("/cases/<int:case_id>/checklist")
@login_required
def danger_checklist(case_id: int):
    """The danger indicators the counsellor recorded while talking with her: the risk follows."""
    _case_or_404(case_id)
    changed = changes.danger_checklist(svc(), current_user, case_id, request.form.getlist("item"))
    if changed is None:
        abort(404)
    before, now = changed
    # in the badges' words ("high danger", "raised risk"), not the stored levels'
    said = {"high": "high danger", "elevated": "raised risk"}
    flash(f"Checklist recorded: {said.get(now, now)}" + (f" (was {said.get(before, before)})." if before != now else "."))
    return redirect(url_for("console.case_view", case_id=case_id))


@bp.post("/cases/<int:case_id>/records")
@login_required
def add_record(case_id: int):
    _case_or_404(case_id)
    kind = request.form.get("kind", "")
    happened_on = request.form.get("happened_on", "").strip()
    if kind not in cases.RECORD_KINDS:
        abort(400)
    if happened_on:
        try:
            datetime.strptime(happened_on, "%Y-%m-%d")
        except ValueError:
            flash("The date is not a date (YYYY-MM-DD).", "error")
            return redirect(url_for("console.case_view", case_id=case_id))
    changes.add_record(svc(), current_user, case_id, kind, happened_on, request.form.get("details", ""))
    flash(f"{cases.RECORD_KINDS[kind]} recorded.")
    return redirect(url_for("console.case_view", case_id=case_id))


@bp.post("/staff/<int:staff_id>/sign-out")
@coordinator_only
def sign_out_staff(staff_id: int):
    """A coordinator ends every console session of a staff member (a lost phone, a shared
    computer left logged in)."""
    auth.sign_out_everywhere(svc().store, staff_id)
    svc().store.audit("console.signed_out", staff_id=staff_id, by=current_user.id)
    flash("Signed out everywhere.")
    return redirect(_back(url_for("console.rota_view")))


# -- rota and reports (coordinators) --------------------------------------------------------------


@bp.get("/rota")
@coordinator_only
def rota_view():
    s = svc()
    langs = list(s.catalog.languages)
    return render_template("console/rota.html", rota=rota.build(s.staff, s.now(), [x.code for x in langs]),
                           role_names=rota.ROLE_NAMES, language_names={x.code: x.english_name for x in langs})


def _weeks() -> int:
    return min(max(request.args.get("weeks", default=12, type=int) or 12, 1), 104)


@bp.get("/reports")
@coordinator_only
def reports_view():
    s = svc()
    report = reports.build(s, s.now(), _weeks())
    return render_template("console/reports.html", report=report, chart=chart.time_to_ack(report.weeks),
                           weeks=_weeks())


@bp.get("/reports/escalations.csv")
@coordinator_only
def reports_csv():
    s = svc()
    report = reports.build(s, s.now(), _weeks())
    s.store.audit("report.exported", staff_id=current_user.id, rows=len(report.rows), weeks=_weeks())
    name = f"escalations-{s.staff.local(s.now()):%Y-%m-%d}.csv"
    return Response(reports.as_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
