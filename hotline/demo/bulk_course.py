"""One bulk ticket's course drawn from the simulation's distributions (history.py, history_texts.py):
the ticket row, its events and, while it is open, its reminders. Pure: no database."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hotline.clock import local
from hotline.deadlines import policy
from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits
from hotline.demo import history_texts as texts
from hotline.demo.city import DISTRICTS
from hotline.demo.history import CHANNELS, HOURLY, SURNAMES, WEEKDAY
from hotline.demo.history_course import REPLIES

H, M = timedelta(hours=1), timedelta(minutes=1)
# The open backlog of a big city (Beijing: ~250,000 open against ~65,000 new a day): a ticket is still stuck
# at some stage with a chance that fades with its age, STALL_PEAK * exp(-age / STALL_DAYS) (0.8 today, 0.38 at
# 90 days, 0.04 at a year), so 1,000,000 tickets over 365 days leave about 245,000 open.
STALL_PEAK = 0.8
STALL_DAYS = 120
# Where a stuck ticket waits: mostly for the follow-up call (replied, so the reply rates stay plausible), else
# unsigned or unreplied (overdue once their limits pass); undispatched only on its first day.
STALL_STAGES = (("sign", 0.15), ("reply", 0.3), ("follow_up", 0.55))
INVALID_SHARE = 0.015


@dataclass
class Course:
    """A ticket row (column → value) and its events, in order."""

    ticket: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    template: int = 0

    def event(self, at: datetime, action: str, before: str | None, after: str, payload: dict[str, Any]) -> str:
        """Append an event and return the state it leads to."""
        self.events.append({"ticket_id": self.ticket["id"], "at": at, "actor_id": None, "actor_name": "系统",
                            "action": action, "from_status": before, "to_status": after, "note": None,
                            "payload": payload})
        return after


def arrival_times(rng: random.Random, *, start: datetime, days: int, total: int) -> list[datetime]:
    """`total` arrival moments over `days` local days, shaped by the hour of day and the weekday."""
    day0 = local(start).replace(hour=0, minute=0, second=0, microsecond=0)
    weights = [WEEKDAY[(day0 + timedelta(days=d)).weekday()] for d in range(days)]
    chosen = rng.choices(range(days), weights, k=total)
    hours = rng.choices(range(24), HOURLY, k=total)
    return sorted(day0 + timedelta(days=d, hours=h, seconds=rng.uniform(0, 3600)) for d, h in zip(chosen, hours,
                                                                                                    strict=True))


def draw(rng: random.Random, *, ticket_id: int, at: datetime, now: datetime, phones: int, calendar: WorkCalendar,
         limits: TimeLimits, departments: dict[str, int], operator_id: int) -> Course:
    """One ticket: what the caller said (a topic's text) and how far its course got by `now`."""
    index = rng.choices(range(len(texts.TOPICS)), [t.weight for t in texts.TOPICS])[0]
    topic = texts.TOPICS[index]
    district = rng.choice(DISTRICTS)
    code = texts.DISTRICT_GOVERNMENTS.get(district, "urban") if topic.department == "district" else topic.department
    template = rng.randrange(len(topic.texts))
    estate, road = rng.choice(texts.ESTATES), rng.choice(texts.ROADS)
    content = topic.texts[template].format(estate=estate, road=road, place=rng.choice(texts.PLACES),
                                           time=rng.choice(texts.TIMES), n=rng.randint(2, 9))
    urgency = "urgent" if rng.random() < topic.urgent_share else "complex" if rng.random() < 0.05 else "normal"
    channel = rng.choice(CHANNELS)
    course = Course({
        "id": ticket_id, "number": f"{local(at):%Y%m%d}-{ticket_id:07d}", "status": "received", "version": 1,
        "content": f"{district}{content}", "caller_name": f"{rng.choice(SURNAMES)}{rng.choice('先生女士')}",
        "caller_phone": f"13{rng.randrange(phones):09d}", "confidential": False, "channel": channel,
        "kind": topic.kind, "urgency": urgency, "district": district,
        "address": estate if "{estate}" in topic.texts[template] else road, "received_by_id": operator_id,
        "received_at": at, "updated_at": at, "deadline_fallback": False, "extension_days": 0,
        "suspension_requested": False, "follow_up_attempts": 0, "invalid": False, "excluded": False,
        "exclusion_requested": False, "dispatch_count": 0, "return_count": 0, "reopen_count": 0, "urge_count": 0,
        "supervise_count": 0, "auto_dispatched": False, "suggestions": [], "department_id": None},
        template=index * 10 + template)
    state = course.event(at, "receive", None, "received", {"channel": channel})
    if rng.random() < INVALID_SHARE:
        done = at + rng.uniform(2, 10) * M
        if done <= now:
            course.ticket.update(invalid=True, closed_at=done, close_reason="invalid", updated_at=done)
            course.ticket["status"] = course.event(done, "mark_invalid", state, "closed", {})
        return course
    stall = _stall(rng, age=now - at)
    _handle(rng, course, code, departments[code], now, calendar, limits, stall)
    return course


def _stall(rng: random.Random, *, age: timedelta) -> str | None:
    """The stage a ticket of this age is stuck at by now, if any (see STALL_PEAK)."""
    if rng.random() >= STALL_PEAK * math.exp(-age / timedelta(days=STALL_DAYS)):
        return None
    if age < timedelta(days=1) and rng.random() < 0.1:
        return "dispatch"
    return rng.choices([s for s, _ in STALL_STAGES], [w for _, w in STALL_STAGES])[0]


def _handle(rng: random.Random, course: Course, code: str, department_id: int, now: datetime,
            calendar: WorkCalendar, limits: TimeLimits, stall: str | None) -> None:
    t = course.ticket
    profile = texts.PROFILES.get(code, texts.DEFAULT_PROFILE)
    sent = t["received_at"] + rng.uniform(3, 40) * M
    if sent > now or stall == "dispatch":
        return
    due = policy.deadlines_on_dispatch(urgency=t["urgency"], dispatched_at=sent, calendar=calendar, limits=limits)
    t.update(department_id=department_id, dispatched_at=sent, dispatch_count=1, sign_due_at=due.sign_due_at,
             reply_due_at=due.reply_due_at, return_until=due.return_until, updated_at=sent)
    state = course.event(sent, "dispatch", "received", "dispatched", {
        "department": code, "assisting": [], "previous": None, "auto": False, "decision": None,
        "redispatch": False})
    signed = sent + rng.expovariate(1 / profile.sign_hours) * H
    if signed > now or stall == "sign":
        t["status"] = state
        return
    t.update(signed_at=signed, updated_at=signed)
    state = course.event(signed, "sign", state, "in_progress", {"on_time": signed <= due.sign_due_at})
    replied = sent + (due.reply_due_at - sent) * rng.uniform(*profile.reply_span)
    if replied > now or stall == "reply":
        t["status"] = state
        return
    result = rng.choices(("solved", "partly_solved", "explained", "unsolvable"), (6, 2, 1.5, 0.5))[0]
    t.update(replied_at=replied, first_contact_at=replied, reply_result=result, reply_content=REPLIES[result],
             updated_at=replied)
    state = course.event(replied, "reply", state, "replied", {
        "result": result, "content": REPLIES[result], "on_time": replied <= due.reply_due_at})
    accepted = replied + rng.uniform(0.5, 4) * H
    if accepted > now:
        t["status"] = state
        return
    follow_due = policy.follow_up_due(replied_at=replied, calendar=calendar)
    t.update(accepted_at=accepted, follow_up_due_at=follow_due, updated_at=accepted)
    state = course.event(accepted, "accept_reply", state, "awaiting_follow_up",
                         {"follow_up_due_at": follow_due.isoformat()})
    called = accepted + rng.uniform(2, 30) * H
    if called > now or stall == "follow_up":
        t["status"] = state
        return
    solved = rng.choices(("solved", "partly", "unsolved"), (6, 2.5, 1.5))[0]
    satisfaction = ("dissatisfied" if rng.random() < profile.dissatisfied
                    else rng.choices(("satisfied", "basically"), (3, 1))[0])
    t.update(contacted=True, solved=solved, satisfaction=satisfaction, follow_up_attempts=1, closed_at=called,
             close_reason="followed_up", updated_at=called)
    t["status"] = course.event(called, "follow_up", state, "closed", {
        "reached": True, "contacted": True, "solved": solved, "satisfaction": satisfaction, "attempt": 1})


def reminders(course: Course, *, now: datetime) -> list[dict[str, Any]]:
    """The reply reminders of an open ticket (warning at 75 %, due at the deadline): sent once passed."""
    t = course.ticket
    if t["status"] not in ("dispatched", "in_progress") or t.get("reply_due_at") is None:
        return []
    start, deadline = t["dispatched_at"], t["reply_due_at"]
    points = (("warning", start + (deadline - start) * 0.75), ("due", deadline))
    return [{"ticket_id": t["id"], "deadline": "reply", "kind": kind, "deadline_at": deadline, "start_at": start,
             "remind_at": at, "created_at": start, "sent_at": at if at < now - 2 * M else None,
             "attempts": int(at < now - 2 * M)} for kind, at in points]
