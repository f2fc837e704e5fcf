"""The course of one simulated ticket: after each move, which move comes next, by whom and when."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hotline.tickets.enums import OPEN_STATUSES, Action, Status
from hotline.tickets.models import Ticket, TicketEvent

if TYPE_CHECKING:
    from hotline.demo.history import Plan, Simulation

A = Action
H = timedelta(hours=1)
M = timedelta(minutes=1)
REPLIES = {
    "solved": "经现场核查，已责令相关单位整改到位，问题已解决，并已告知诉求人。",
    "partly_solved": "已到现场处置，部分问题已解决，其余问题已列入整改计划，将持续跟进。",
    "explained": "已联系诉求人，就相关政策规定作了解释说明，诉求人表示理解。",
    "unsolvable": "经核实，该诉求涉及历史遗留问题，暂不具备解决条件，已向诉求人说明。",
}


def after_receive(sim: Simulation, ticket: Ticket, plan: Plan, group: str | None) -> None:
    """The first move: merge into an open ticket about the same event, answer on the call, or dispatch."""
    rng, at = sim.rng, ticket.received_at
    if group is not None:
        primary = sim.groups.setdefault(group, ticket.id)
        if primary != ticket.id and (group.startswith("repeat") or rng.random() < 0.35):
            plan.merge_into = primary
            sim.later(at + 2 * M, ticket.id, A.MERGE, "operator", {"into": primary})
            return
    if plan.direct:  # the department's own article when it has one
        own = sim.articles.get(plan.department) or [a for arts in sim.articles.values() for a in arts]
        article_id, title = rng.choice(own)
        sim.later(at + rng.uniform(2, 8) * M, ticket.id, A.RESOLVE_ON_CALL, "operator",
                  {"article_id": article_id, "article_title": title})
    elif rng.random() < 0.015:
        sim.later(at + 3 * M, ticket.id, A.MARK_INVALID, "operator", note="无实际诉求内容，已告知诉求人")
    elif ticket.urgency == "emergency" and rng.random() < 0.3:
        sim.later(at + 2 * M, ticket.id, A.TRANSFER_EMERGENCY, "operator", {"service": "110"})
    else:
        dispatch(sim, ticket, plan.wrong or plan.department, at + rng.uniform(3, 40) * M)


def dispatch(sim: Simulation, ticket: Ticket, department: str, at: datetime) -> None:
    """派单 by the centre."""
    sim.later(at, ticket.id, A.DISPATCH, sim.rng.choice(("dispatcher", "operator", "operator2")),
              {"department": department})


def refused(sim: Simulation, ticket: Ticket, action: Action, at: datetime) -> None:
    """A merge refused (the primary closed meanwhile) becomes an ordinary dispatch."""
    plan = sim.plans[ticket.id]
    if action is A.MERGE and ticket.status == Status.RECEIVED:
        plan.merge_into = None
        dispatch(sim, ticket, plan.department, at + 5 * M)


def after(sim: Simulation, ticket: Ticket, event: TicketEvent, at: datetime) -> None:
    """Queue what follows a move that was just made."""
    rng, plan = sim.rng, sim.plans[ticket.id]
    staff = f"dept_{ticket.department.code}" if ticket.department else ""
    action = Action(event.action)
    if action is A.DISPATCH:
        if plan.wrong == event.payload["department"]:
            sim.later(sim.office(at + rng.uniform(0.5, 5) * H), ticket.id, A.RETURN, staff,
                      {"reason": "该事项不属于本单位职责范围", "basis": "本单位三定方案",
                       "suggested_department": plan.department})
        else:
            sim.later(sign_time(sim, ticket, plan, at), ticket.id, A.SIGN, staff)
    elif action is A.RETURN:
        sim.later(sim.office(at + rng.uniform(0.5, 4) * H), ticket.id, A.APPROVE_RETURN, "dispatcher")
    elif action is A.APPROVE_RETURN:
        plan.wrong = None
        dispatch(sim, ticket, plan.department, at + rng.uniform(0.2, 2) * H)
    elif action is A.SIGN:
        after_sign(sim, ticket, plan, staff, at)
    elif action is A.REQUEST_EXTENSION:
        decision = A.APPROVE_EXTENSION if rng.random() < 0.85 else A.DENY_EXTENSION
        sim.later(sim.office(at + rng.uniform(1, 8) * H), ticket.id, decision, "supervisor")
    elif action in (A.APPROVE_EXTENSION, A.DENY_EXTENSION):
        schedule_reply(sim, ticket, plan, staff, at, first_round=True)
    elif action is A.REPLY:
        if rng.random() < 0.06:
            sim.later(sim.office(at + rng.uniform(0.3, 5) * H), ticket.id, A.SEND_BACK, "dispatcher",
                      note="答复内容过于简单，请补充办理过程和结果")
        else:
            sim.later(sim.office(at + rng.uniform(0.3, 5) * H), ticket.id, A.ACCEPT_REPLY, "dispatcher")
    elif action is A.SEND_BACK:
        sim.later(sim.office(at + rng.uniform(3, 30) * H), ticket.id, A.REPLY, staff, reply_data(sim))
    elif action is A.ACCEPT_REPLY:
        follow_up(sim, ticket, plan, sim.office(at + rng.uniform(1, 22) * H))
    elif action is A.FOLLOW_UP:
        if ticket.status == Status.AWAITING_FOLLOW_UP:
            follow_up(sim, ticket, plan, sim.office(at + rng.uniform(3, 10) * H))
        elif ticket.status == Status.IN_PROGRESS:
            schedule_reply(sim, ticket, plan, staff, at, first_round=False)


def sign_time(sim: Simulation, ticket: Ticket, plan: Plan, at: datetime) -> datetime:
    """Urgent tickets are signed within about their limit; others after the department's usual delay."""
    if ticket.urgency in ("urgent", "emergency"):
        limit = 2.0 if ticket.urgency == "urgent" else 0.5
        return at + limit * sim.rng.uniform(0.1, 1.15) * H
    return sim.office(at + sim.rng.expovariate(1 / plan.profile.sign_hours) * H)


def after_sign(sim: Simulation, ticket: Ticket, plan: Plan, staff: str, at: datetime) -> None:
    """Contact the caller (often), ask for an extension (sometimes), then reply."""
    rng = sim.rng
    if rng.random() < 0.6:
        sim.later(sim.office(at + rng.uniform(0.2, 1.5) * plan.profile.sign_hours * H), ticket.id, A.CONTACT,
                  staff)
    if ticket.urgency in ("normal", "complex") and rng.random() < plan.profile.extension:
        sim.later(sim.office(at + rng.uniform(1, 24) * H), ticket.id, A.REQUEST_EXTENSION, staff,
                  {"days": rng.randint(3, 10), "reason": "需协调多个部门现场处置，申请延期"})
    else:
        schedule_reply(sim, ticket, plan, staff, at, first_round=True)


def schedule_reply(sim: Simulation, ticket: Ticket, plan: Plan, staff: str, now: datetime, *,
                   first_round: bool) -> None:
    """Reply at the department's usual share of the time limit; late replies draw an urge and 督办."""
    rng, due = sim.rng, ticket.reply_due_at
    if due is None:
        return
    start = ticket.dispatched_at if first_round and ticket.dispatched_at else now
    low, high = plan.profile.reply_span
    at = max(now + 0.5 * H, start + (due - start) * rng.uniform(low, high))
    if ticket.urgency in ("normal", "complex"):
        at = sim.office(at)
    if at > due + 2 * H:
        sim.later(due + rng.uniform(1, 6) * H, ticket.id, A.URGE, "supervisor")
        if at > due + 30 * H:
            sim.later(due + 30 * H, ticket.id, A.SUPERVISE, "supervisor")
    sim.later(at, ticket.id, A.REPLY, staff, reply_data(sim))


def reply_data(sim: Simulation) -> dict[str, str]:
    """The department's result."""
    result = sim.rng.choices(list(REPLIES), [72, 13, 12, 3])[0]
    return {"result": result, "content": REPLIES[result]}


def follow_up(sim: Simulation, ticket: Ticket, plan: Plan, at: datetime) -> None:
    """回访: sometimes nobody answers; otherwise the caller's verdict, worse for poor results."""
    rng = sim.rng
    if rng.random() < 0.07:
        sim.later(at, ticket.id, A.FOLLOW_UP, "followup", {"reached": False})
        return
    weight = 1.6 if ticket.reply_result in ("explained", "unsolvable") else 1.0
    unhappy = plan.profile.dissatisfied * weight * 0.5 ** ticket.reopen_count
    roll = rng.random()
    if roll < unhappy:
        data = {"satisfaction": "dissatisfied", "solved": "unsolved" if rng.random() < 0.8 else "partly",
                "unit_fault": rng.random() < 0.85}
    elif roll < unhappy + 0.22:
        data = {"satisfaction": "basically", "solved": "partly" if rng.random() < 0.5 else "solved"}
    else:
        data = {"satisfaction": "satisfied", "solved": "solved" if rng.random() < 0.92 else "partly"}
    sim.later(at, ticket.id, A.FOLLOW_UP, "followup", {"reached": True, "contacted": True, **data})


def is_open(ticket: Ticket | None) -> bool:
    """Whether a ticket can still take merged duplicates."""
    return ticket is not None and ticket.status in OPEN_STATUSES and ticket.merged_into_id is None
