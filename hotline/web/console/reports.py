"""Reports over the last weeks: time to acknowledge (its distribution and median, week by
week, and by risk level), volume by channel and language, the escalations nobody answered, the
police danger screens (LAP: screens, screened in, women who spoke with a counsellor, time from
the screen to a counsellor); and the same rows as CSV. No number, no caller's key and no message
body appears in any of them."""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hotline.privacy import csvfile
from hotline.response import risk
from hotline.store.models import Action, Case, Escalation
from hotline.web.console.auth import aware

CSV_COLUMNS = ["escalation", "code", "created_at", "week", "channel", "language", "priority", "kind",
               "status", "seconds_to_ack", "acked_by", "acked_at", "closed_at", "risk"]


@dataclass
class Row:
    id: int
    code: str
    case_id: int
    created_at: datetime  # local
    week: datetime  # local Monday, midnight
    channel: str
    lang: str
    priority: str
    kind: str
    status: str
    seconds_to_ack: float | None
    acked_by: str
    acked_at: datetime | None
    closed_at: datetime | None
    risk: str = "standard"
    outcome: str | None = None  # a screened-in LAP's: spoke | declined | no_counsellor


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Screens:
    """The police danger screens (LAP) of a week."""

    screens: int = 0
    screened_in: int = 0
    spoke: int = 0  # she spoke with a counsellor (the counsellor's record on the case page)
    to_counsellor: list[float] = field(default_factory=list)  # seconds, screen to a counsellor's ACK

    @property
    def median(self) -> float | None:
        return median(self.to_counsellor)


@dataclass
class Week:
    start: datetime
    acks: list[tuple[str, float]] = field(default_factory=list)  # (code, seconds)
    unanswered: int = 0
    total: int = 0
    lap: Screens = field(default_factory=Screens)

    @property
    def median(self) -> float | None:
        return statistics.median(s for _, s in self.acks) if self.acks else None

    @property
    def p90(self) -> float | None:
        if not self.acks:
            return None
        ordered = sorted(s for _, s in self.acks)
        return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


@dataclass
class Report:
    since: datetime
    weeks: list[Week]
    rows: list[Row]
    volume: dict[str, dict[str, int]]  # language -> channel -> escalations
    channels: list[str]
    unanswered: list[Row]
    by_risk: dict[str, list[float]] = field(default_factory=dict)  # level -> seconds to ACK, in risk.LEVELS order
    counts_by_risk: dict[str, int] = field(default_factory=dict)

    @property
    def screens(self) -> Screens:
        """The period's danger screens, all weeks together."""
        total = Screens()
        for w in self.weeks:
            total.screens += w.lap.screens
            total.screened_in += w.lap.screened_in
            total.spoke += w.lap.spoke
            total.to_counsellor += w.lap.to_counsellor
        return total

    def risk_median(self, level: str) -> float | None:
        return median(self.by_risk.get(level, []))

    @property
    def median(self) -> float | None:
        acks = [r.seconds_to_ack for r in self.rows if r.seconds_to_ack is not None]
        return statistics.median(acks) if acks else None


def monday(local: datetime) -> datetime:
    return (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def build(svc, at: datetime, weeks: int = 12) -> Report:
    staff = svc.staff
    zone = staff.zone
    first = monday(at.astimezone(zone)) - timedelta(weeks=weeks - 1)
    with svc.store.session() as s:
        found = list(s.execute(select(Escalation, Case.channel).join(Case, Case.id == Escalation.case_id)
                               .where(Escalation.created_at >= first.astimezone(UTC)).order_by(Escalation.created_at)))
        # every screen is recorded (actions.record_lap), screened in or not
        screens = list(s.execute(select(Action.created_at, Action.payload).where(
            Action.kind == "lap_screen", Action.created_at >= first.astimezone(UTC))))
    rows = []
    for e, channel in found:
        created = aware(e.created_at).astimezone(zone)
        acked = aware(e.acked_at)
        taker = staff.get(e.acked_by)
        rows.append(Row(e.id, e.code, e.case_id, created, monday(created), channel, e.lang, e.priority, e.kind,
                        e.status, (acked - aware(e.created_at)).total_seconds() if acked else None,
                        taker.name if taker else "", acked.astimezone(zone) if acked else None,
                        aware(e.closed_at).astimezone(zone) if e.closed_at else None, e.risk or "standard",
                        (e.details or {}).get("outcome") if e.kind == "lap" else None))
    by_week = {first + timedelta(weeks=i): Week(first + timedelta(weeks=i)) for i in range(weeks)}
    volume: dict[str, dict[str, int]] = {}
    channels = set()
    for created, payload in screens:
        week = by_week.get(monday(aware(created).astimezone(zone)))
        if week is not None:
            week.lap.screens += 1
            week.lap.screened_in += (payload or {}).get("result") == "screened_in"
    by_risk: dict[str, list[float]] = {level: [] for level in risk.LEVELS}
    counts: dict[str, int] = {level: 0 for level in risk.LEVELS}
    for row in rows:
        week = by_week.get(row.week)
        if week is None:
            continue
        week.total += 1
        counts[row.risk] = counts.get(row.risk, 0) + 1
        if row.seconds_to_ack is not None:
            week.acks.append((row.code, row.seconds_to_ack))
            by_risk.setdefault(row.risk, []).append(row.seconds_to_ack)
        if row.kind == "lap":  # opened at the screen: its ACK is the counsellor reached
            if row.seconds_to_ack is not None:
                week.lap.to_counsellor.append(row.seconds_to_ack)
            week.lap.spoke += row.outcome == "spoke"
        if row.status == "unanswered":
            week.unanswered += 1
        volume.setdefault(row.lang, {}).setdefault(row.channel, 0)
        volume[row.lang][row.channel] += 1
        channels.add(row.channel)
    return Report(first, list(by_week.values()), rows, volume, sorted(channels or {"sms"}),
                  [r for r in rows if r.status == "unanswered"], by_risk, counts)


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csvfile.writer(out)  # every cell escaped against formulas
    writer.writerow(CSV_COLUMNS)
    for r in report.rows:
        writer.writerow([r.id, r.code, r.created_at.isoformat(), r.week.date().isoformat(), r.channel, r.lang,
                         r.priority, r.kind, r.status,
                         "" if r.seconds_to_ack is None else int(round(r.seconds_to_ack)), r.acked_by,
                         r.acked_at.isoformat() if r.acked_at else "",
                         r.closed_at.isoformat() if r.closed_at else "", r.risk])
    return out.getvalue()

