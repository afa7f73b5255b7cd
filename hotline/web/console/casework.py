"""The console's casework pages, on the console's blueprint (its login, headers and CSRF) and its access rules
(console/access.py): a case's legal casework (DIRs, orders, contacts outside the line) for whoever
may see the case; a DIR's words only for the coordinator and the counsellor the case is assigned
to (sees_words); the weekly plan with the police and the orders lapsing this month for
coordinators."""

from __future__ import annotations

from datetime import date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hotline.casework import contacts, dir_form, incident_reports, orders, plan
from hotline.casework.erasure import CaseErased
from hotline.store.models import ERASED, Case
from hotline.web.console.access import may_view, sees_words
from hotline.web.console.views import bp, coordinator_only, svc


def _case(case_id: int, words: bool = False) -> Case:
    """The case, when this user may see it (and, with `words`, a DIR's contents); else 404."""
    with svc().store.session() as s:
        case = s.get(Case, case_id)
        if case is None or not may_view(s, current_user, case):
            abort(404)
        if words and not (current_user.coordinator or sees_words(current_user, case)):
            abort(404)
        return case


def _may_write_dir(case: Case) -> bool:
    return current_user.coordinator or sees_words(current_user, case)


def _report(dir_id: int):
    report = incident_reports.get(svc(), dir_id)
    if report is None:
        abort(404)
    _case(report.case_id, words=True)
    return report


@bp.get("/cases/<int:case_id>/casework")
@login_required
def casework_view(case_id: int):
    s = svc()
    case = _case(case_id)
    writes = _may_write_dir(case)
    s.store.audit("case.casework_viewed", None, staff_id=current_user.id, case=case_id)
    return render_template("casework/case.html", case=case, writes=writes,
                           reports=incident_reports.of_case(s, case_id) if writes else [],
                           orders=orders.of_case(s, case_id), contacts=contacts.of_case(s, case_id),
                           kinds=orders.KINDS, statuses=orders.STATUSES, contact_kinds=contacts.KINDS,
                           forward_to=incident_reports.FORWARD_TO, via=incident_reports.VIA,
                           today=s.staff.local(s.now()).date().isoformat(), label=_en)


def _en(label: tuple[str, str]) -> str:
    return label[1]


@bp.route("/cases/<int:case_id>/dir", methods=["GET", "POST"])
@bp.route("/cases/<int:case_id>/dir/<int:dir_id>", methods=["GET", "POST"])
@login_required
def dir_edit(case_id: int, dir_id: int | None = None):
    """Form I: saved as a draft (any time), or finalised (when nothing essential is missing)."""
    s = svc()
    case = _case(case_id, words=True)
    report = _report(dir_id) if dir_id else None
    if report is not None and report.case_id != case_id:
        abort(404)
    if report is None and case.caller_key == ERASED:  # no blank Form I for an erased case: said on its page
        raise CaseErased(case_id)
    content = report.content if report else {"recorded_on": s.staff.local(s.now()).date().isoformat()}
    lang = report.lang if report else (case.lang if case.lang in incident_reports.LANGS else "en")
    missing: list[str] = []
    if request.method == "POST":
        if report is not None and report.status != "draft":
            abort(409)
        content = dir_form.from_form(request.form)
        lang = request.form.get("lang", "en")
        if lang not in incident_reports.LANGS:
            abort(400)
        dir_id = incident_reports.save(s, current_user.id, case_id, content, lang, dir_id)
        if request.form.get("action") == "finalise":
            missing = incident_reports.finalise(s, current_user.id, dir_id)
            if not missing:
                flash("The DIR is final. Download it, and record each copy you send.")
                return redirect(url_for("console.casework_view", case_id=case_id))
        else:
            flash("Draft saved.")
        # to the draft's own address, whatever was pressed: a new form posted again (Finalise
        # refused, then Save draft, or a reload) rewrites this draft instead of adding another
        # with her personal data in it (#33: one case had DIR 1-4)
        return redirect(url_for("console.dir_edit", case_id=case_id, dir_id=dir_id,
                                missing=1 if missing else None))
    if report is not None and report.status == "draft" and request.args.get("missing"):
        missing = dir_form.problems(content)  # Finalise refused: what it still needs
    return render_template("casework/dir.html", case=case, report=report, content=content, lang=lang,
                           sections=dir_form.SECTIONS, missing=missing, label=_en)


@bp.get("/dir/<int:dir_id>.pdf")
@login_required
def dir_pdf(dir_id: int):
    s = svc()
    report = _report(dir_id)
    from hotline.casework import pdf  # here: fpdf2 takes seconds to load

    body = pdf.dir_pdf(s.catalog, report)
    s.store.audit("dir.downloaded", None, staff_id=current_user.id, case=report.case_id, dir=dir_id)
    kind = "DIR" if report.status == "final" else "DIR-draft"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{kind}-{report.case_id}-{dir_id}.pdf"'})


@bp.post("/dir/<int:dir_id>/forward")
@login_required
def dir_forward(dir_id: int):
    s = svc()
    report = _report(dir_id)
    try:
        incident_reports.forward(s, current_user.id, dir_id, request.form.get("to", ""), request.form.get("name", ""),
                                 request.form.get("via", ""), request.form.get("sent_on", ""))
        flash("Forwarding recorded.")
    except ValueError:
        flash("Not recorded: a final DIR, a recipient, a way and a date (YYYY-MM-DD) are needed.", "error")
    return redirect(url_for("console.casework_view", case_id=report.case_id))


@bp.post("/cases/<int:case_id>/orders")
@login_required
def order_add(case_id: int):
    _case(case_id)
    f = request.form
    try:
        orders.add(svc(), current_user.id, case_id, f.get("kind", ""), f.get("status", ""), f.get("court", ""),
                   f.get("applied_on"), f.get("decided_on"), f.get("expires_on"), f.get("details", ""))
        flash("Recorded.")
    except ValueError:
        flash("Not recorded: a kind, a status and dates as YYYY-MM-DD are needed.", "error")
    return redirect(url_for("console.casework_view", case_id=case_id))


@bp.post("/orders/<int:order_id>")
@login_required
def order_update(order_id: int):
    s = svc()
    found = [o for o in orders.of_case(s, request.form.get("case_id", type=int) or 0) if o.id == order_id]
    if not found:
        abort(404)
    _case(found[0].case_id)
    try:
        orders.update(s, current_user.id, order_id, request.form.get("status", ""), request.form.get("decided_on"),
                      request.form.get("expires_on"))
        flash("Updated.")
    except ValueError:
        flash("Not updated: a status and dates as YYYY-MM-DD are needed.", "error")
    return redirect(url_for("console.casework_view", case_id=found[0].case_id))


def _when(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=svc().staff.zone)
    except ValueError:
        return None


@bp.post("/cases/<int:case_id>/contacts")
@login_required
def contact_add(case_id: int):
    _case(case_id)
    f = request.form
    when = _when(f.get("happened_at", ""))
    if when is None or f.get("kind") not in contacts.KINDS:
        flash("Not recorded: the kind of contact and its date and time are needed.", "error")
    else:
        contacts.record(svc(), current_user.id, case_id, f["kind"], when, f.get("place", ""), f.get("summary", ""))
        flash("Contact recorded.")
    return redirect(url_for("console.casework_view", case_id=case_id))


@bp.route("/contacts/new", methods=["GET", "POST"])
@login_required
def contact_new():
    """A walk-in or a call to a counsellor's own phone from someone with no case yet (or whose
    number has one open: it is recorded there)."""
    s = svc()
    error = None
    if request.method == "POST":
        f = request.form
        when = _when(f.get("happened_at", ""))
        if when is None or f.get("kind") not in contacts.KINDS:
            error = "The kind of contact and its date and time are needed."
        else:
            try:
                case_id = contacts.new_case(s, current_user.id, f.get("number"), f.get("lang", "en"), f["kind"],
                                            may_see=lambda session, case: may_view(session, current_user, case))
            except ValueError:
                error = "That phone number cannot be right: check it, or leave it empty."
            else:
                contacts.record(s, current_user.id, case_id, f["kind"], when, f.get("place", ""),
                                f.get("summary", ""))
                flash(f"Contact recorded on case #{case_id}.")
                return redirect(url_for("console.casework_view", case_id=case_id))
    return render_template("casework/contact_new.html", kinds=contacts.KINDS, error=error,
                           now=s.staff.local(s.now()).strftime("%Y-%m-%dT%H:%M")), 400 if error else 200


def _week_start() -> date:
    s = svc()
    try:
        day = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        day = s.staff.local(s.now()).date()
    return plan.monday(day)


@bp.get("/plan")
@coordinator_only
def plan_view():
    s = svc()
    start = _week_start()
    today = s.staff.local(s.now()).date()
    return render_template("casework/plan.html", rows=plan.week(s, start), start=start,
                           lapsing=orders.lapsing(s, today), month=today.strftime("%B %Y"))


@bp.get("/plan.csv")
@coordinator_only
def plan_csv():
    s = svc()
    start = _week_start()
    rows = plan.week(s, start)
    s.store.audit("plan.exported", staff_id=current_user.id, rows=len(rows), week=start.isoformat())
    return Response(plan.as_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="follow-up-plan-{start}.csv"'})
