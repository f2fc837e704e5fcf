"""A received ticket's rate facts are held until the transaction commits (a dispatch in the same
transaction replaces them, held too, and a later move writes its own); whatever a savepoint undoes, the facts and the
roll-up stored at commit are those a rebuild from the tickets and events gives."""

from __future__ import annotations

from contextlib import suppress

import time_machine
from sqlalchemy import func, select

from hotline.supervision import live_facts, rollup
from hotline.supervision.models import rate_facts
from tests.supervision.test_rollup import _by_key
from tests.support.factories import T0

TEXT = "东湖区滨湖路{}号路灯不亮，晚上出行不安全。"


class Undone(Exception):
    pass


def _setup(db):  # type: ignore[no-untyped-def]
    from hotline.departments.models import User
    from hotline.tickets.rules import rules_at

    return db.scalar(select(User).where(User.username == "operator")), rules_at(db, T0)


def _receive(db, operator, rules, n: int):  # type: ignore[no-untyped-def]
    from hotline.tickets import service

    return service.receive(db, rules=rules, actor=operator, data={
        "content": TEXT.format(n), "caller_phone": f"1380000{n:04d}", "kind": "complaint", "district": "东湖区"}).ticket


def _dispatch(db, ticket, operator, rules) -> None:  # type: ignore[no-untyped-def]
    from hotline.tickets.enums import Action
    from hotline.tickets.transitions import transition

    transition(db, ticket=ticket, action=Action.DISPATCH, actor=operator, rules=rules,
               data={"department": "ecology"})


def _facts(db, ticket_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(db.scalars(select(rate_facts.c.cohort).where(rate_facts.c.ticket_id == ticket_id)))


def _kept_equals_rebuilt(db) -> None:  # type: ignore[no-untyped-def]
    from hotline.deadlines.service import load_calendar, time_limits

    columns = [c for c in rate_facts.c if c.name != "id"]
    kept, days = sorted(tuple(r) for r in db.execute(select(*columns))), _by_key(db)
    live_facts.rebuild_all(db, calendar=load_calendar(db), limits=time_limits())
    rollup.rebuild(db)
    assert kept == sorted(tuple(r) for r in db.execute(select(*columns)))
    assert days == _by_key(db)
    db.rollback()


def test_a_dispatch_in_the_receiving_transaction_writes_only_the_dispatched_facts(app, db):
    operator, rules = _setup(db)
    with time_machine.travel(T0, tick=False):
        ticket = _receive(db, operator, rules, 1)
        assert _facts(db, ticket.id) == []  # held, not written
        _dispatch(db, ticket, operator, rules)
        db.commit()
    assert "dispatched" in _facts(db, ticket.id)
    _kept_equals_rebuilt(db)


def test_a_dispatch_undone_by_its_savepoint_leaves_the_received_facts(app, db):
    operator, rules = _setup(db)
    with time_machine.travel(T0, tick=False):
        ticket = _receive(db, operator, rules, 2)
        with suppress(Undone), db.begin_nested():
            _dispatch(db, ticket, operator, rules)
            assert _facts(db, ticket.id) == []  # the dispatched facts are held for the commit too
            raise Undone
        db.commit()
    assert _facts(db, ticket.id) == ["received"]
    _kept_equals_rebuilt(db)


def _count(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(rate_facts))


def test_a_ticket_undone_by_its_savepoint_leaves_no_facts(app, db):
    operator, rules = _setup(db)
    before = _count(db)
    with time_machine.travel(T0, tick=False):
        kept = _receive(db, operator, rules, 4)  # first: SQLite would give a later one the undone ticket's id
        with suppress(Undone), db.begin_nested():
            _receive(db, operator, rules, 3)
            raise Undone
        db.commit()
    assert _facts(db, kept.id) == ["received"] and _count(db) == before + 1
    _kept_equals_rebuilt(db)


def test_a_transaction_rolled_back_writes_nothing_later(app, db):
    operator, rules = _setup(db)
    before = _count(db)
    with time_machine.travel(T0, tick=False):
        _receive(db, operator, rules, 5)
        db.rollback()
        kept = _receive(db, operator, rules, 6)
        db.commit()
    assert _facts(db, kept.id) == ["received"] and _count(db) == before + 1
    _kept_equals_rebuilt(db)


def test_a_dispatch_kept_by_its_savepoint_but_undone_by_an_outer_one_leaves_the_received_facts(app, db):
    operator, rules = _setup(db)
    with time_machine.travel(T0, tick=False):
        ticket = _receive(db, operator, rules, 7)
        with suppress(Undone), db.begin_nested():
            with db.begin_nested():
                _dispatch(db, ticket, operator, rules)
            raise Undone
        db.commit()
    assert _facts(db, ticket.id) == ["received"]
    _kept_equals_rebuilt(db)


def test_a_later_move_in_the_transaction_writes_the_dispatched_ticket_facts_once(app, db):
    from hotline.deadlines.service import year_limits

    operator, rules = _setup(db)
    with time_machine.travel(T0, tick=False):
        ticket = _receive(db, operator, rules, 8)
        _dispatch(db, ticket, operator, rules)
        # what any later move does: the ticket's facts rewritten from the stored ticket and events
        live_facts.refresh(db, ticket_ids=[ticket.id], calendar=rules.calendar, limits=year_limits(db))
        written = _facts(db, ticket.id)
        db.commit()
    assert "dispatched" in written and _facts(db, ticket.id) == written  # the held ones were not added again
    _kept_equals_rebuilt(db)
