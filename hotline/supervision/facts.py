"""One pass over a narrow select of tickets and their events, giving the countable facts of a period.

A fact is one countable thing (a dispatch to a department, a ticket due, a follow-up, ...) with the
group it belongs to, its cohort day and the counts it adds. Every count is additive over days, so
daily snapshots can be summed into any longer period.

Cohorts (all Asia/Shanghai days, invalid tickets, approved exclusions and merged duplicates left out):
- received: tickets received in the period, for their department (a call answered from the knowledge
  base: the article's department; a merged duplicate adds a citizen to its primary instead);
- dispatched: dispatch events in the period, each one an assignment of the department it names, with
  whether that assignment was signed on time, returned, and whether the caller was contacted (a contact
  or a reply) within the response limit (the sign limit of the ticket's urgency, from dispatch);
- due: tickets whose reply deadline falls in the period and before now, for their current department;
- to_follow_up: replies accepted in the period, and whether a follow-up reached the caller;
- valid_follow_ups: follow-up calls that reached the caller in the period, with their outcome;
- online_ratings: the citizens' online ratings (好差评) given in the period, with their outcome.
Each reached call and each online rating is one evaluation, the satisfaction rate's base.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, cast, func, select, union
from sqlalchemy.orm import Session, aliased

from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits, due_at
from hotline.deadlines.service import YearLimits
from hotline.departments.models import Department
from hotline.knowledge.models import Article
from hotline.supervision.periods import Period, local_day
from hotline.tickets.enums import Action, CloseReason, Satisfaction, Solved, Status
from hotline.tickets.models import Ticket, TicketEvent

DISPATCH, SIGN, RETURN, CONTACT, REPLY = "dispatch", "sign", "return", "contact", "reply"
APPROVE_RETURN, ACCEPT_REPLY, FOLLOW_UP, URGE, SUPERVISE = ("approve_return", "accept_reply", "follow_up", "urge",
                                                           "supervise")
SKIP_FOLLOW_UP = "skip_follow_up"  # closed without a call under the sampling rule: not owed a follow-up
RATE_REPLY = "rate_reply"  # the citizen's online rating of the reply
WITH_PAYLOAD = frozenset({DISPATCH, SIGN, FOLLOW_UP, RATE_REPLY})
COHORT_ACTIONS = (Action.DISPATCH.value, Action.ACCEPT_REPLY.value, Action.FOLLOW_UP.value,
                  Action.URGE.value, Action.SUPERVISE.value, Action.RATE_REPLY.value)
CHUNK = 5000  # ids per IN list (well under SQLite's and PostgreSQL's parameter limits)
READ_ACTIONS = (*COHORT_ACTIONS, SIGN, RETURN, CONTACT, REPLY, APPROVE_RETURN, SKIP_FOLLOW_UP)


@dataclass(slots=True)
class Fact:
    """One countable thing: the ticket behind it, its groups, its cohort moment and its counts."""

    ticket_id: int
    department: str | None
    district: str | None
    kind: str
    channel: str
    at: datetime
    counts: dict[str, int]

    @property
    def day(self) -> date:
        """The Asia/Shanghai day the fact counts on."""
        return local_day(self.at)

    def group(self, group_by: str) -> str | None:
        """The group this fact belongs to under a grouping."""
        return getattr(self, group_by)


@dataclass
class _Assignment:
    at: datetime
    department: str | None
    signed_on_time: int = 0
    returned: int = 0
    contact_at: datetime | None = None


@dataclass
class _Context:
    period: Period
    now: datetime
    calendar: WorkCalendar
    limits: TimeLimits | YearLimits  # YearLimits: each dispatch judged by the limits of its year
    repeat_times: int


def _ticket_ids(period: Period, now: datetime) -> Any:
    due_end = min(period.end, now)
    return union(
        select(Ticket.id).where(Ticket.received_at >= period.start, Ticket.received_at < period.end),
        select(Ticket.id).where(Ticket.reply_due_at >= period.start, Ticket.reply_due_at < due_end),
        select(TicketEvent.ticket_id).where(TicketEvent.at >= period.start, TicketEvent.at < period.end,
                                            TicketEvent.action.in_(COHORT_ACTIONS)),
    ).subquery()


def collect(session: Session, *, period: Period, now: datetime, calendar: WorkCalendar,
            limits: TimeLimits | YearLimits, repeat_times: int = 2) -> list[Fact]:
    """Every fact of the period, from the tickets and their events (the events are the truth)."""
    ids = sorted(session.scalars(select(_ticket_ids(period, now).c[0])))
    return facts_of(session, ticket_ids=ids, period=period, now=now, calendar=calendar, limits=limits,
                    repeat_times=repeat_times)


def facts_of(session: Session, *, ticket_ids: list[int], period: Period, now: datetime, calendar: WorkCalendar,
             limits: TimeLimits | YearLimits, repeat_times: int = 2) -> list[Fact]:
    """The facts of the given tickets that fall in the period (ids in chunks, events in one query each)."""
    tickets: list[Any] = []
    citizens: dict[int, int] = {}
    events: dict[int, list[Any]] = defaultdict(list)
    for chunk in (ticket_ids[i:i + CHUNK] for i in range(0, len(ticket_ids), CHUNK)):
        tickets.extend(session.execute(_tickets_query(chunk)))
        citizens.update((primary, n) for primary, n in session.execute(
            select(Ticket.merged_into_id, func.count()).where(Ticket.merged_into_id.in_(chunk))
            .group_by(Ticket.merged_into_id)))
        for row in session.execute(
                select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.action,
                       cast(TicketEvent.payload, Text).label("payload"))
                .where(TicketEvent.ticket_id.in_(chunk), TicketEvent.action.in_(READ_ACTIONS))
                .order_by(TicketEvent.ticket_id, TicketEvent.id)):
            events[row.ticket_id].append(row)
    ctx = _Context(period, now, calendar, limits, repeat_times)
    facts: list[Fact] = []
    for t in tickets:
        facts.extend(_ticket_facts(ctx, t, events.get(t.id, ()), 1 + citizens.get(t.id, 0)))
    return facts


def facts_from_rows(*, tickets: Iterable[Any], events: dict[int, list[Any]], period: Period, now: datetime,
                    calendar: WorkCalendar, limits: TimeLimits | YearLimits, repeat_times: int = 2) -> list[Fact]:
    """The facts of tickets given as rows shaped like `_tickets_query`'s, with their events (ticket_id, at,
    action, payload as JSON text) in order: for a bulk writer that holds them already (demo/bulk.py)."""
    ctx = _Context(period, now, calendar, limits, repeat_times)
    return [f for t in tickets for f in _ticket_facts(ctx, t, events.get(t.id, ()), 1)]


def _tickets_query(ids: list[int]) -> Any:
    owner = aliased(Department)  # a call answered from the knowledge base counts for the article's department
    return (select(Ticket.id, Department.code, Ticket.district, Ticket.kind, Ticket.channel, Ticket.urgency,
                   Ticket.received_at, Ticket.reply_due_at, Ticket.replied_at, Ticket.close_reason,
                   owner.code.label("answered_by"))
            .outerjoin(Department, Department.id == Ticket.department_id)
            .outerjoin(Article, Article.id == Ticket.kb_article_id)
            .outerjoin(owner, owner.id == Article.department_id)
            .where(Ticket.id.in_(ids), Ticket.invalid.is_(False), Ticket.excluded.is_(False),
                   Ticket.status != Status.MERGED.value))


def _ticket_facts(ctx: _Context, t: Any, events: Iterable[Any], citizens: int) -> Iterator[Fact]:
    def fact(department: str | None, moment: datetime, **counts: int) -> Fact:
        return Fact(t.id, department, t.district, t.kind, t.channel, moment, counts)

    period = ctx.period
    if period.contains(t.received_at):
        yield fact(t.code or t.answered_by, t.received_at, received=1, citizens=citizens,
                   resolved_on_call=int(t.close_reason == CloseReason.RESOLVED_ON_CALL.value))
    if t.reply_due_at is not None and t.code and period.start <= t.reply_due_at < min(period.end, ctx.now):
        on_time = t.replied_at is not None and t.replied_at <= t.reply_due_at
        yield fact(t.code, t.reply_due_at, due=1, replied=int(t.replied_at is not None),
                   replied_on_time=int(on_time), overdue=int(not on_time))
    yield from _event_facts(ctx, t, events, fact)


def _event_facts(ctx: _Context, t: Any, events: Iterable[Any], fact: Any) -> Iterator[Fact]:
    period = ctx.period
    department: str | None = None
    current: _Assignment | None = None
    waiting: dict[str, Any] | None = None  # the accepted reply in the period waiting for its follow-up
    dissatisfied = 0
    for ev in events:
        action = ev.action
        payload = json.loads(ev.payload or "{}") if action in WITH_PAYLOAD else {}  # decoded only where read
        if action == DISPATCH:
            if current is not None:
                yield from _assignment_fact(ctx, t, current, fact)
            department = payload.get("department")
            current = _Assignment(ev.at, department)
        elif action == APPROVE_RETURN:
            department = None
        elif current is not None and action == SIGN:
            current.signed_on_time = int(bool(payload.get("on_time")))
        elif current is not None and action == RETURN:
            current.returned = 1
        elif current is not None and action in (CONTACT, REPLY):
            current.contact_at = current.contact_at or ev.at
        elif action == ACCEPT_REPLY:
            if waiting is not None:
                yield fact(waiting["department"], waiting["at"], to_follow_up=1, followed_up=0)
            waiting = {"department": department, "at": ev.at} if period.contains(ev.at) else None
        elif action == FOLLOW_UP and payload.get("reached", True):
            if waiting is not None:
                yield fact(waiting["department"], waiting["at"], to_follow_up=1, followed_up=1)
                waiting = None
            dissatisfied += payload.get("satisfaction") == Satisfaction.DISSATISFIED.value
            if period.contains(ev.at):
                yield fact(department, ev.at, **_follow_up_counts(payload, dissatisfied, ctx.repeat_times))
        elif action == SKIP_FOLLOW_UP:
            waiting = None
        elif action == RATE_REPLY and period.contains(ev.at):
            yield fact(department, ev.at, **_online_counts(payload))
        elif action in (URGE, SUPERVISE) and period.contains(ev.at):
            yield fact(department, ev.at, **{"urged" if action == URGE else "supervised": 1})
    if current is not None:
        yield from _assignment_fact(ctx, t, current, fact)
    if waiting is not None:
        yield fact(waiting["department"], waiting["at"], to_follow_up=1, followed_up=0)


def _follow_up_counts(payload: dict[str, Any], dissatisfied: int, repeat_times: int) -> dict[str, int]:
    solved, satisfaction = payload.get("solved"), payload.get("satisfaction")
    repeat = satisfaction == Satisfaction.DISSATISFIED.value and dissatisfied == repeat_times
    return {"valid_follow_ups": 1, "solved": int(solved == Solved.SOLVED.value),
            "partly_solved": int(solved == Solved.PARTLY.value),
            "satisfied": int(satisfaction == Satisfaction.SATISFIED.value),
            "basically_satisfied": int(satisfaction == Satisfaction.BASICALLY.value),
            "dissatisfied": int(satisfaction == Satisfaction.DISSATISFIED.value),
            "reopened": int(bool(payload.get("reopened"))), "repeat_dissatisfied": int(repeat)}


def _online_counts(payload: dict[str, Any]) -> dict[str, int]:
    rating = payload.get("rating")
    return {"online_ratings": 1,
            "online_satisfied": int(rating == Satisfaction.SATISFIED.value),
            "online_basically_satisfied": int(rating == Satisfaction.BASICALLY.value),
            "online_dissatisfied": int(rating == Satisfaction.DISSATISFIED.value)}


def _assignment_fact(ctx: _Context, t: Any, a: _Assignment, fact: Any) -> Iterator[Fact]:
    if not ctx.period.contains(a.at):
        return
    responded = 0
    if a.contact_at is not None:
        limits = ctx.limits.at(a.at) if isinstance(ctx.limits, YearLimits) else ctx.limits
        limit = limits.for_urgency(t.urgency).sign
        responded = int(a.contact_at <= due_at(limit=limit, start=a.at, calendar=ctx.calendar))
    yield fact(a.department, a.at, dispatched=1, signed_on_time=a.signed_on_time, returned=a.returned,
               responded=responded)
