"""Rate facts judged again after the rules changed, a local day at a time (in a background job at a city's
scale: a year's time limits concern every ticket dispatched in that year, millions of them).

`request` records what to refresh; `run` works through it a day and a chunk at a time, recording how far
it got (`next_day`, `after_ticket_id`), so a run that dies resumes where it stopped and a second run of a
finished refresh does nothing. Refreshing a ticket twice (dispatched on two days) is harmless:
`live_facts.refresh` rewrites its facts whole.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines.service import load_calendar, year_limits
from hotline.supervision import live_facts
from hotline.supervision.models import RateRefresh
from hotline.supervision.periods import Period, day, local_day
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket, TicketEvent

CALENDAR_REASON = "法定节假日与调休变更"
CHUNK = 500  # tickets locked and refreshed per transaction: a move on one of them waits at most that long


def request(session: Session, *, reason: str, start: datetime, end: datetime, now: datetime,
            actor: str | None) -> RateRefresh:
    """Record that the facts of the tickets dispatched in [start, end) are to be judged again (never after
    `now`: a later dispatch is judged by the new rules at its own move); flush only."""
    end = min(end, now)
    row = RateRefresh(reason=reason[:120], start_at=start, end_at=max(end, start), next_day=local_day(start),
                      after_ticket_id=0, refreshed=0, requested_by=actor, requested_at=now)
    session.add(row)
    session.flush()
    return row


def run(session: Session, *, refresh_id: int, now: datetime, commit: bool = False) -> RateRefresh | None:
    """Refresh what is left of a recorded refresh, a local day at a time and `CHUNK` tickets at a time
    (committing each chunk with its progress when `commit`), with the rules in force now; returns it (None if
    unknown). Each chunk's tickets are locked first, as a move locks its ticket: a move and the refresh
    of the same ticket never interleave their rewrites of its facts."""
    row = session.get(RateRefresh, refresh_id)
    if row is None or row.finished_at is not None:
        return row
    calendar, limits = load_calendar(session), year_limits(session)
    last = local_day(row.end_at)
    while row.next_day <= last:
        ids = [i for i in dispatched_on(session, on=row.next_day, start=row.start_at, end=row.end_at)
               if i > row.after_ticket_id]
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            session.execute(select(Ticket.id).where(Ticket.id.in_(chunk)).order_by(Ticket.id).with_for_update())
            live_facts.refresh(session, ticket_ids=chunk, calendar=calendar, limits=limits)
            row.refreshed += len(chunk)
            row.after_ticket_id = chunk[-1]
            _save(session, commit)
        row.next_day, row.after_ticket_id = row.next_day + timedelta(days=1), 0
        _save(session, commit)
    row.finished_at = now
    _save(session, commit)
    return row


def _save(session: Session, commit: bool) -> None:
    if commit:
        session.commit()
    else:
        session.flush()


def dispatched_on(session: Session, *, on: date, start: datetime, end: datetime) -> list[int]:
    """Tickets dispatched on a local day, within [start, end] (by the index on the events' moment)."""
    whole = day(on)
    since, until = max(whole.start, start), min(whole.end, end + timedelta(microseconds=1))
    if since >= until:
        return []
    return sorted(session.scalars(select(TicketEvent.ticket_id).where(
        TicketEvent.action == Action.DISPATCH.value, TicketEvent.at >= since, TicketEvent.at < until).distinct()))


def after_limits_change(session: Session, *, year: int, now: datetime, actor: str | None) -> RateRefresh:
    """A year's time limits stored or dropped: the tickets dispatched in that year are judged again (their
    response is judged by the limits of the year they were dispatched in)."""
    start, end = year_span(year)
    return request(session, reason=limits_reason(year), start=start, end=end, now=now, actor=actor)


def after_calendar_change(session: Session, *, first_day: date, now: datetime, actor: str | None) -> RateRefresh:
    """Official days entered: the tickets whose response limit may cross them (dispatched from 15 days
    before the first entered day) are judged again."""
    start = day(first_day - timedelta(days=15)).start
    return request(session, reason=CALENDAR_REASON, start=start, end=now, now=now, actor=actor)


def pending(session: Session) -> list[int]:
    """Refreshes not finished (queued, or interrupted), oldest first, for the sweep."""
    return list(session.scalars(select(RateRefresh.id).where(RateRefresh.finished_at.is_(None))
                                .order_by(RateRefresh.id)))


def latest(session: Session, *, reason: str) -> RateRefresh | None:
    """The most recent refresh recorded for a reason (what the admin page reports)."""
    return session.scalar(select(RateRefresh).where(RateRefresh.reason == reason)
                          .order_by(RateRefresh.id.desc()).limit(1))


def limits_reason(year: int) -> str:
    """The reason recorded when a year's time limits are stored or dropped."""
    return f"{year} 年时限变更"


def year_span(year: int) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a local calendar year."""
    whole = Period(date(year, 1, 1), date(year, 12, 31))
    return whole.start, whole.end
