"""CitizenRating: a citizen's online rating (好差评) of one reply, at most one per reply cycle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class CitizenRating(Base):
    """One rating; ``cycle`` is the ticket's reopen count when rated, so a reply given again after a
    reopening can be rated again while the same reply never can."""

    __tablename__ = "citizen_ratings"
    __table_args__ = (UniqueConstraint("ticket_id", "cycle", name="uq_citizen_ratings_cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(15))  # satisfied | basically | dissatisfied
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
