"""Imports every model module so the metadata (and Alembic) sees every table."""

from hotline.auth.models import AccessLog, ApiToken
from hotline.citizen.models import CitizenRating
from hotline.deadlines.models import CalendarDay
from hotline.departments.models import Department, District, User
from hotline.dispatching.models import Correction, DispatchOutcome, DispatchRule, MonitorEvent
from hotline.followups.models import FollowUpTask
from hotline.knowledge.models import Article, ArticleFeedback, ArticleImport, ArticleVersion, ReviewTask
from hotline.notify.models import Notification, OutboxMessage
from hotline.open311.models import ApiKey, Open311Request
from hotline.reminders.models import Reminder
from hotline.settings.models import YearSetting
from hotline.supervision.models import (
    HotspotMember,
    HotspotTerm,
    MetricSnapshot,
    TicketSignature,
    TicketTextBand,
    rate_days,
    rate_facts,
)
from hotline.tickets.models import IdempotencyKey, Ticket, TicketEvent

__all__ = [
    "AccessLog", "ApiKey", "ApiToken", "Article", "ArticleFeedback", "ArticleImport", "ArticleVersion", "CalendarDay",
    "CitizenRating",
    "Correction",
    "Department", "DispatchOutcome", "DispatchRule", "District", "FollowUpTask", "HotspotMember", "HotspotTerm",
    "IdempotencyKey", "MetricSnapshot", "MonitorEvent", "Notification",
    "Open311Request", "OutboxMessage", "Reminder", "ReviewTask", "Ticket", "TicketEvent", "TicketSignature",
    "TicketTextBand", "User", "YearSetting", "rate_days", "rate_facts",
]
