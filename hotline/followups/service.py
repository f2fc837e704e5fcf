"""Follow-up tasks (回访): one per reply cycle, due by the end of the next working day after the reply,
sampled by configurable rules, called up to three times in different time-of-day windows.

``schedule`` (a periodic job) creates the tasks of tickets awaiting follow-up, closes the ones the
sampling rule leaves out (system move skip_follow_up, CloseReason.NOT_SAMPLED), and keeps open tasks in
step with their ticket (attempts made through the follow-up move, closure as done / unreachable /
reopened). Services flush, never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hotline.clock import LOCAL_TZ
from hotline.followups.models import FollowUpTask
from hotline.tickets.enums import Action, CloseReason, Status
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import Rules, transition
from hotline.upsert import insert_ignore

CLOSED_AS = {CloseReason.FOLLOWED_UP.value: "done", CloseReason.UNREACHABLE.value: "unreachable",
             CloseReason.NOT_SAMPLED.value: "not_sampled"}


def _hm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def windows_of(config: Mapping[str, Any]) -> list[tuple[time, time]]:
    """FOLLOW_UP_WINDOWS (hotline.config: each attempt goes to a window not yet tried) as local (start, end) times."""
    return [(_hm(a), _hm(b)) for a, b in config["FOLLOW_UP_WINDOWS"]]


def window_index(moment: datetime, windows: Sequence[tuple[time, time]]) -> int | None:
    """Which window a call fell in (None: outside every window)."""
    clock = moment.astimezone(LOCAL_TZ).time()
    return next((i for i, (a, b) in enumerate(windows) if a <= clock < b), None)


def next_attempt_at(*, after: datetime, tried: Iterable[datetime], windows: Sequence[tuple[time, time]]
                    ) -> datetime:
    """The earliest moment at/after ``after`` inside a time-of-day window not used by an earlier attempt."""
    used = {i for i in (window_index(t, windows) for t in tried) if i is not None}
    if len(used) >= len(windows):
        used = set()
    day = after.astimezone(LOCAL_TZ).date()
    for offset in range(8):
        for i, (start, end) in enumerate(windows):
            if i in used:
                continue
            d = day + timedelta(days=offset)
            a = datetime.combine(d, start, LOCAL_TZ).astimezone(UTC)
            b = datetime.combine(d, end, LOCAL_TZ).astimezone(UTC)
            if after < b:
                return max(a, after)
    return after


def sample_rate(config: Mapping[str, Any], ticket: Ticket, cycle: int) -> float:
    """The share of tickets called back: FOLLOW_UP_SAMPLE_RULES (first match wins), else
    FOLLOW_UP_SAMPLE_RATE (1.0: every ticket). A reopened ticket (cycle > 0) is always called.

    A rule: {"when": {"kind": ["praise", "consultation"], "channel": "web"}, "rate": 0.3}."""
    if cycle > 0:
        return 1.0
    for rule in config.get("FOLLOW_UP_SAMPLE_RULES") or ():
        when = rule.get("when", {})
        if all(getattr(ticket, k, None) in (v if isinstance(v, list | tuple) else [v]) for k, v in when.items()):
            return float(rule["rate"])
    return float(config.get("FOLLOW_UP_SAMPLE_RATE", 1.0))


def is_sampled(ticket_id: int, cycle: int, rate: float) -> bool:
    """A stable draw per (ticket, cycle): re-running the schedule never changes the decision."""
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"follow-up:{ticket_id}:{cycle}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _unanswered_times(session: Session, ticket_ids: list[int], since: dict[int, datetime]
                      ) -> dict[int, list[datetime]]:
    out: dict[int, list[datetime]] = {tid: [] for tid in ticket_ids}
    if not ticket_ids:
        return out
    for event in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(ticket_ids),
                                                           TicketEvent.action == Action.FOLLOW_UP.value)
                                 .order_by(TicketEvent.id)):
        if (event.payload or {}).get("reached") is False and event.at >= since.get(event.ticket_id, event.at):
            out[event.ticket_id].append(event.at)
    return out


def attempt_plan(session: Session, tickets: Sequence[Ticket], *, now: datetime,
                 windows: Sequence[tuple[time, time]]) -> dict[int, tuple[list[datetime], datetime]]:
    """For tickets awaiting follow-up: the unanswered calls of this cycle and when to call next."""
    since = {t.id: t.accepted_at or t.replied_at or now for t in tickets}
    times = _unanswered_times(session, [t.id for t in tickets], since)
    return {tid: (tried, next_attempt_at(after=max([now, *[t + timedelta(minutes=1) for t in tried]]),
                                         tried=tried, windows=windows))
            for tid, tried in times.items()}


def schedule(session: Session, *, rules: Rules, config: Mapping[str, Any], batch: int = 500) -> dict[str, int]:
    """Create missing tasks (sampling), then bring open tasks in step with their tickets."""
    counts = {"created": 0, "not_sampled": 0, "updated": 0, "closed": 0}
    windows = windows_of(config)
    now = rules.now
    has_task = select(FollowUpTask.id).where(FollowUpTask.ticket_id == Ticket.id,
                                             FollowUpTask.cycle == Ticket.reopen_count).exists()
    tickets = list(session.scalars(select(Ticket).where(Ticket.status == Status.AWAITING_FOLLOW_UP.value, ~has_task)
                                   .order_by(Ticket.id).limit(batch)))
    for ticket in tickets:
        cycle = ticket.reopen_count
        rate = sample_rate(config, ticket, cycle)
        sampled = is_sampled(ticket.id, cycle, rate)
        row = {"ticket_id": ticket.id, "cycle": cycle, "sampled": sampled, "created_at": now,
               "due_at": ticket.follow_up_due_at or now, "attempts": 0, "attempt_times": [],
               "status": "open" if sampled else "not_sampled",
               "next_attempt_at": next_attempt_at(after=now, tried=(), windows=windows) if sampled else None,
               "closed_at": None if sampled else now}
        if not insert_ignore(session, FollowUpTask, [row]):
            continue  # another run made it
        counts["created"] += 1
        if not sampled:
            transition(session, ticket=ticket, action=Action.SKIP_FOLLOW_UP, actor=None, rules=rules,
                       data={"sample_rate": rate}, note="按抽样规则未抽中，免回访办结")
            counts["not_sampled"] += 1
    counts.update(sync_open(session, now=now, windows=windows, batch=batch))
    session.flush()
    return counts


def sync_open(session: Session, *, now: datetime, windows: Sequence[tuple[time, time]], batch: int = 500
              ) -> dict[str, int]:
    """Record attempts made since the last run and close tasks whose ticket has moved on."""
    counts = {"updated": 0, "closed": 0}
    rows = list(session.execute(select(FollowUpTask, Ticket).join(Ticket, Ticket.id == FollowUpTask.ticket_id)
                                .where(FollowUpTask.status == "open").order_by(FollowUpTask.id).limit(batch * 4)))
    waiting = [t for task, t in rows if t.status == Status.AWAITING_FOLLOW_UP and task.cycle == t.reopen_count]
    plans = attempt_plan(session, waiting, now=now, windows=windows)
    for task, ticket in rows:
        if ticket.id in plans and task.cycle == ticket.reopen_count:
            tried, nxt = plans[ticket.id]
            stamps = [t.isoformat() for t in tried]
            if task.attempts != len(tried) or task.attempt_times != stamps:
                task.attempts, task.attempt_times, task.next_attempt_at = len(tried), stamps, nxt
                counts["updated"] += 1
            continue
        if ticket.status == Status.CLOSED:
            task.status = CLOSED_AS.get(ticket.close_reason or "", "cancelled")
        elif ticket.reopen_count > task.cycle or ticket.status == Status.IN_PROGRESS:
            task.status = "reopened"
        else:
            task.status = "cancelled"
        if ticket.status == Status.CLOSED and task.status == "unreachable":
            task.attempts = ticket.follow_up_attempts
        task.closed_at, task.next_attempt_at = now, None
        counts["closed"] += 1
    return counts


def request_call(session: Session, *, ticket: Ticket, now: datetime, windows: Sequence[tuple[time, time]]
                 ) -> FollowUpTask:
    """Make sure the ticket's current cycle has an open, sampled task in the callers' queue, due with
    the ticket's follow-up deadline: the citizen asked for a call (an online 不满意). A task the sampling rule skipped or a finished
    one of this cycle is opened again, so the unique (ticket, cycle) row stays the one record."""
    if ticket.status != Status.AWAITING_FOLLOW_UP:
        raise ValueError(f"ticket {ticket.id} is not awaiting a follow-up")
    row = {"ticket_id": ticket.id, "cycle": ticket.reopen_count, "sampled": True, "created_at": now,
           "due_at": ticket.follow_up_due_at or now, "attempts": 0, "attempt_times": [], "status": "open",
           "next_attempt_at": next_attempt_at(after=now, tried=(), windows=windows), "closed_at": None}
    insert_ignore(session, FollowUpTask, [row])
    task = session.scalar(select(FollowUpTask).where(FollowUpTask.ticket_id == ticket.id,
                                                     FollowUpTask.cycle == ticket.reopen_count))
    assert task is not None
    if task.status != "open" or not task.sampled:
        task.status, task.sampled, task.closed_at = "open", True, None
        task.attempts, task.attempt_times = 0, []
        task.next_attempt_at, task.due_at = row["next_attempt_at"], row["due_at"]
    session.flush()
    return task


def queue_query(*, ready_at: datetime | None = None) -> Any:
    """Tickets awaiting follow-up with their task (if the schedule already made it), by due time."""
    query = (select(Ticket, FollowUpTask)
             .outerjoin(FollowUpTask, and_(FollowUpTask.ticket_id == Ticket.id,
                                           FollowUpTask.cycle == Ticket.reopen_count))
             .where(Ticket.status == Status.AWAITING_FOLLOW_UP.value))
    if ready_at is not None:
        query = query.where((FollowUpTask.next_attempt_at.is_(None)) | (FollowUpTask.next_attempt_at <= ready_at))
    return query
