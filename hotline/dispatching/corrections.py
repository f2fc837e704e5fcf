"""Corrections: where a ticket really belonged, learned from approved returns and re-dispatches."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.dispatching.models import Correction
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket, TicketEvent


def record(session: Session, *, ticket: Ticket, event: TicketEvent, now: datetime) -> Correction | None:
    """After a re-dispatch (改派), remember the text → right department (the latest one wins)."""
    if event.action != Action.DISPATCH.value or not event.payload.get("redispatch"):
        return None
    returned = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                        TicketEvent.action == Action.APPROVE_RETURN.value)
                              .order_by(TicketEvent.id.desc()).limit(1))
    wrong = returned.payload.get("returned_by") if returned is not None else event.payload.get("previous")
    right = event.payload["department"]
    if wrong == right:
        return None
    row = session.scalar(select(Correction).where(Correction.ticket_id == ticket.id))
    if row is None:
        row = Correction(ticket_id=ticket.id, text=ticket.content, source="approved_return"
                         if returned is not None else "redispatch", created_at=now, right_department=right)
        session.add(row)
    row.wrong_department, row.right_department, row.created_at = wrong, right, now
    session.flush()
    return row


def training_rows(session: Session) -> list[tuple[str, str]]:
    """Every correction as a (text, department code) training row."""
    return [(c.text, c.right_department) for c in session.scalars(select(Correction).order_by(Correction.id))]


def export_csv(session: Session, path: Path) -> int:
    """Write the corrections as a `text,label` CSV for `python -m classifier train`; returns the row count."""
    rows = training_rows(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return len(rows)
