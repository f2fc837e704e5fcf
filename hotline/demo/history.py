"""Simulated history: DAYS of realistic traffic driven through the real transition function.

Arrivals follow the hour of day and the weekday; each ticket then lives its course (dispatch,
sign, returns, extensions, replies, follow-ups, reopening) at simulated moments, each move made
by `transition` with Rules built for that moment. Departments differ (see history_texts.PROFILES)
and a few bursts are planted so /hotspots has something to find. Deterministic for a seed.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.clock import local
from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits
from hotline.demo import history_course as course
from hotline.demo import history_texts as texts
from hotline.demo.city import DISTRICTS
from hotline.departments.models import User
from hotline.errors import ApiError
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket
from hotline.tickets.service import receive
from hotline.tickets.transitions import Rules, transition

A = Action
HOURLY = [1, 0.5, 0.3, 0.3, 0.3, 0.6, 2, 5, 9, 11, 11, 9, 6, 7, 9, 10, 9, 8, 6, 5, 4, 3, 2, 1.5]
WEEKDAY = [1.1, 1.05, 1.0, 1.0, 0.95, 0.65, 0.55]
CHANNELS = (["phone"] * 62 + ["wechat"] * 14 + ["app"] * 10 + ["web"] * 8 + ["sms"] * 3 + ["mailbox"] * 3)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
H = timedelta(hours=1)


@dataclass
class Plan:
    """What will happen to one simulated ticket."""

    department: str
    profile: texts.Profile
    wrong: str | None = None
    merge_into: int | None = None
    direct: bool = False  # answered on the call from the knowledge base


@dataclass(order=True)
class _Item:
    at: datetime
    seq: int
    ticket_id: int = field(compare=False)
    action: Action | None = field(compare=False)
    user: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)
    note: str | None = field(compare=False, default=None)


class Simulation:
    """The simulated clock, the queue of moves to make and the counts of what happened."""

    def __init__(self, session: Session, *, start: datetime, end: datetime, seed: int, per_day: int,
                 calendar: WorkCalendar, limits: TimeLimits, batch: Callable[[], None]) -> None:
        self.session, self.start, self.end, self.per_day = session, start, end, per_day
        self.rng = random.Random(seed)
        self.calendar, self.limits, self.batch = calendar, limits, batch
        self.users = {u.username: u for u in session.scalars(select(User))}
        self.articles = _published_articles(session)
        self.queue: list[_Item] = []
        self.seq = itertools.count()
        self.plans: dict[int, Plan] = {}
        self.arrivals: list[tuple[datetime, int, dict[str, Any], Plan, str | None]] = []
        self.stats: Counter[str] = Counter()
        self.groups: dict[str, int] = {}
        self.tickets: dict[int, Ticket] = {}  # strong references: the identity map alone is weak

    # -- scheduling -------------------------------------------------------------------------
    def later(self, at: datetime, ticket_id: int, action: Action, user: str, data: dict[str, Any] | None = None,
              note: str | None = None) -> None:
        """Queue a move; moves after the end of the history never happen (the ticket stays open)."""
        if at <= self.end:
            heapq.heappush(self.queue, _Item(at, next(self.seq), ticket_id, action, user, data or {}, note))

    def office(self, at: datetime) -> datetime:
        """Moves by people happen between 08:00 and 20:00 local time."""
        hour = local(at).hour
        if 8 <= hour < 20:
            return at
        days = 1 if hour >= 20 else 0
        morning = local(at).replace(hour=8, minute=0, second=0) + timedelta(days=days)
        return morning + timedelta(minutes=self.rng.uniform(0, 90))

    # -- arrivals ---------------------------------------------------------------------------
    def plan_arrivals(self) -> None:
        """Every arrival of the history (ordinary traffic, repeat callers and planted bursts)."""
        day = local(self.start).replace(hour=0, minute=0, second=0, microsecond=0)
        while day < local(self.end):
            count = int(self.per_day * WEEKDAY[day.weekday()] * self.rng.uniform(0.85, 1.15))
            for _ in range(count):
                hour = self.rng.choices(range(24), HOURLY)[0]
                at = day + timedelta(hours=hour, minutes=self.rng.uniform(0, 60))
                if self.start <= at <= self.end:
                    self.ordinary(at)
            day += timedelta(days=1)
        for burst in texts.PLANTED:
            self.planted(burst)
        self.arrivals.sort(key=lambda a: (a[0], a[1]))

    def _add(self, at: datetime, data: dict[str, Any], plan: Plan, group: str | None = None) -> None:
        if self.start <= at <= self.end:
            self.arrivals.append((at, len(self.arrivals), data, plan, group))

    def ordinary(self, at: datetime) -> None:
        """One ordinary call, sometimes followed by the same caller calling again."""
        rng = self.rng
        topic = rng.choices(texts.TOPICS, [t.weight for t in texts.TOPICS])[0]
        district = rng.choice(DISTRICTS)
        department = texts.DISTRICT_GOVERNMENTS[district] if topic.department == "district" else topic.department
        estate, road = rng.choice(texts.ESTATES), rng.choice(texts.ROADS)
        content = rng.choice(topic.texts).format(estate=estate, road=road, place=rng.choice(texts.PLACES),
                                                 time=rng.choice(texts.TIMES), n=rng.randint(2, 9))
        urgency = ("urgent" if rng.random() < topic.urgent_share else "emergency" if rng.random() < 0.01
                   else "complex" if rng.random() < 0.05 else "normal")
        data = {"content": f"{district}{content}", "caller_name": f"{rng.choice(SURNAMES)}{rng.choice('先生女士')}",
                "caller_phone": self.phone(), "channel": rng.choice(CHANNELS), "kind": topic.kind,
                "urgency": urgency, "district": district, "address": estate if "{estate}" in content else road}
        profile = texts.PROFILES.get(department, texts.DEFAULT_PROFILE)
        wrong = None
        if urgency == "normal" and rng.random() < profile.misroute:
            wrong = rng.choice([t.department for t in texts.TOPICS if t.department not in ("district", department)])
        plan = Plan(department, profile, wrong)
        plan.direct = rng.random() < topic.direct_share and bool(self.articles)
        repeat = rng.random() < 0.03 and not plan.direct
        self._add(at, data, plan, group=f"repeat-{at}" if repeat else None)
        if repeat:  # the same caller calls again about the same thing: merged into the first ticket
            self._add(at + H * rng.uniform(2, 72), dict(data), Plan(department, profile), group=f"repeat-{at}")

    def planted(self, burst: texts.Planted) -> None:
        """A burst of calls about one event in one place over a few days."""
        first = self.end - timedelta(days=burst.days_before_end[0])
        span = timedelta(days=burst.days_before_end[0] - burst.days_before_end[1]) or timedelta(hours=20)
        profile = texts.PROFILES.get(burst.department, texts.DEFAULT_PROFILE)
        for index in range(burst.calls):
            at = self.office(first + span * (index / burst.calls) + H * self.rng.uniform(0, 3))
            content = self.rng.choice(burst.texts).format(n=self.rng.randint(1, 30))
            data = {"content": content, "caller_name": f"{self.rng.choice(SURNAMES)}先生", "caller_phone": self.phone(),
                    "channel": "phone", "kind": "help", "urgency": burst.urgency, "district": burst.district,
                    "address": burst.address}
            self._add(min(at, self.end), data, Plan(burst.department, profile), group=f"burst-{burst.address}")

    def phone(self) -> str:
        """A made-up mobile number."""
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999999999):09d}"

    # -- running ----------------------------------------------------------------------------
    def rules(self, at: datetime) -> Rules:
        """What a move at this simulated moment needs (the same as rules_at, without re-reading the calendar)."""
        return Rules(now=at, calendar=self.calendar, limits=self.limits, max_follow_up_attempts=3)

    def run(self) -> Counter[str]:
        """Make every arrival and move in time order, committing once per simulated day."""
        self.plan_arrivals()
        arrivals = iter(self.arrivals)
        upcoming = next(arrivals, None)
        day = None
        while upcoming is not None or self.queue:
            take_arrival = upcoming is not None and (not self.queue or upcoming[0] <= self.queue[0].at)
            at = upcoming[0] if take_arrival and upcoming is not None else self.queue[0].at
            if day is not None and local(at).date() != day:
                self.batch()
            day = local(at).date()
            if take_arrival and upcoming is not None:
                self.arrive(*upcoming)
                upcoming = next(arrivals, None)
            else:
                self.perform(heapq.heappop(self.queue))
        self.batch()
        return self.stats

    def arrive(self, at: datetime, _index: int, data: dict[str, Any], plan: Plan, group: str | None) -> None:
        """受理 at the simulated moment, then plan the first move."""
        operator = self.users["operator" if self.rng.random() < 0.6 else "operator2"]
        ticket = receive(self.session, data=data, actor=operator, rules=self.rules(at)).ticket
        self.plans[ticket.id] = plan
        self.tickets[ticket.id] = ticket
        self.stats["received"] += 1
        course.after_receive(self, ticket, plan, group)

    def perform(self, item: _Item) -> None:
        """Make one queued move through the transition function."""
        ticket = self.tickets[item.ticket_id]
        assert item.action is not None
        if item.action is Action.MERGE and not course.is_open(self.tickets.get(item.data["into"])):
            course.refused(self, ticket, item.action, item.at)
            return
        try:  # transition checks everything before it changes anything, so a refusal leaves no trace
            event = transition(self.session, ticket=ticket, action=item.action, actor=self.users[item.user],
                               rules=self.rules(item.at), data=item.data, note=item.note)
        except ApiError:
            self.stats[f"refused_{item.action.value}"] += 1
            course.refused(self, ticket, item.action, item.at)
            return
        self.stats[item.action.value] += 1
        course.after(self, ticket, event, item.at)


def _published_articles(session: Session) -> dict[str, list[tuple[int, str]]]:
    """Knowledge articles an operator can answer a call with, by owning department (none: calls are dispatched)."""
    from hotline.departments.models import Department
    from hotline.knowledge.models import Article

    found: dict[str, list[tuple[int, str]]] = {}
    for r in session.execute(select(Article.id, Article.title, Department.code)
                             .join(Department, Department.id == Article.department_id)
                             .where(Article.status == "published").order_by(Article.id)):
        found.setdefault(r.code, []).append((r.id, r.title))
    return found


def load_history(session: Session, *, days: int, seed: int, now: datetime, calendar: WorkCalendar,
                 limits: TimeLimits, per_day: int = 100, batch: Callable[[], None] | None = None) -> dict[str, int]:
    """Fill the demo city with `days` days of traffic ending at `now`; returns what happened, by move."""
    sim = Simulation(session, start=now - timedelta(days=days), end=now, seed=seed, per_day=per_day,
                     calendar=calendar, limits=limits, batch=batch or session.flush)
    return dict(sorted(sim.run().items()))


def load_from_cli(session: Session, *, days: int, seed: int, now: datetime, echo: Callable[[str], None]) -> None:
    """`flask demo load --history DAYS --seed N`: simulate, committing once per simulated day."""
    import time

    from hotline.deadlines.service import load_calendar, time_limits

    existing = session.scalar(select(func.count()).select_from(Ticket)) or 0
    if existing:  # a second run would add the same traffic again
        echo(f"history: skipped, the database already has {existing} tickets")
        return
    started = time.perf_counter()
    stats = load_history(session, days=days, seed=seed, now=now.replace(second=0, microsecond=0),
                         calendar=load_calendar(session), limits=time_limits(), batch=session.commit)
    echo(f"history: {days} days in {time.perf_counter() - started:.1f}s; "
         + " ".join(f"{k}={v}" for k, v in stats.items()))
