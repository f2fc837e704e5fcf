"""Imports every model module so the metadata (and Alembic) sees every table."""

from hotline.auth.models import AccessLog, ApiToken
from hotline.deadlines.models import CalendarDay
from hotline.departments.models import Department, User
from hotline.followups.models import FollowUpTask  # noqa: F401
from hotline.knowledge.models import Article, ArticleFeedback, ArticleVersion, ReviewTask  # noqa: F401
from hotline.notify.models import Notification, OutboxMessage  # noqa: F401
from hotline.reminders.models import Reminder  # noqa: F401
from hotline.supervision.models import MetricSnapshot  # noqa: F401
from hotline.tickets.models import IdempotencyKey, Ticket, TicketEvent

__all__ = ["AccessLog", "ApiToken", "CalendarDay", "Department", "IdempotencyKey", "Ticket", "TicketEvent",
           "User"]
