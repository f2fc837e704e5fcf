"""Who may use each route: ONE table, keyed by Flask endpoint, enforced before every request.

Every endpoint in the URL map must have a line here (tests/security/test_access_walk.py walks every
route × every role and fails on an undeclared one; at run time an undeclared route answers 403).
`@require(...)` / `@login_required(...)` may stay on views: when they name roles, a test checks they
equal this table's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import Flask, request

from hotline.departments.roles import INTAKE_ROLES, UNMASK_ROLES, Role

log = logging.getLogger(__name__)


class Scope(StrEnum):
    """What part of the data a route can show or change, once the role check has passed."""

    PUBLIC = "public"  # no personal data: published articles, scrubbed Open311, static files, login
    SELF = "self"  # the caller's own account, tokens and inbox
    REFERENCE = "reference"  # non-personal reference data: departments, calendar, catalogue, classifier
    VISIBLE = "visible"  # tickets/articles the user may open (department staff: their department's only)
    CENTRE = "centre"  # centre-wide figures, queues and files for the roles listed


@dataclass(frozen=True)
class Access:
    """The roles that may use a route (None: anyone, without login) and its scope."""

    roles: frozenset[Role] | None
    scope: Scope

    @property
    def public(self) -> bool:
        """True when no login is needed."""
        return self.roles is None

    def allows(self, role: str | None) -> bool:
        """Whether a user of this role (None: anonymous) may use the route."""
        return self.roles is None or (role is not None and role in self.roles)


def public(scope: Scope = Scope.PUBLIC) -> Access:
    """No login needed."""
    return Access(None, scope)


def logged_in(scope: Scope) -> Access:
    """Any logged-in user."""
    return Access(frozenset(Role), scope)


def only(*roles: Role, scope: Scope) -> Access:
    """Only these roles."""
    return Access(frozenset(roles), scope)


OP, DISP, DEPT, FU, SUP, ADMIN = (Role.OPERATOR, Role.DISPATCHER, Role.DEPARTMENT, Role.FOLLOWUP,
                                  Role.SUPERVISOR, Role.ADMIN)
VIEWERS = (SUP, ADMIN, DISP)  # the rates, reports and hotspots
CENTRE_DESK = (OP, DISP, SUP, ADMIN)
INTAKE = tuple(INTAKE_ROLES)
UNMASK = tuple(UNMASK_ROLES)  # who may see a caller's full number, one ticket at a time, logged  # the roles that take calls create tickets (DESIGN section 7)

# endpoint → who may use it. Add the line for your route in its blueprint's section (one line per endpoint).
ACCESS: dict[str, Access] = {
    # static files
    "static": public(),
    "web.static": public(),
    # auth
    "auth_api.token": public(),
    "auth_api.logout": logged_in(Scope.SELF),
    "auth_api.me": logged_in(Scope.SELF),
    "auth_api.password": logged_in(Scope.SELF),
    "users_api.reset": only(ADMIN, scope=Scope.CENTRE),
    # access log: read-only, supervisors and admins (no route edits or deletes an entry)
    "access_log_api.index": only(SUP, ADMIN, scope=Scope.CENTRE),
    "web.access_log_page": only(SUP, ADMIN, scope=Scope.CENTRE),
    "users_api.activate": only(ADMIN, scope=Scope.CENTRE),
    # openapi / open311
    "openapi.document": public(),
    "open311.services": public(),
    "open311.requests_index": public(),
    "open311.requests_show": public(),
    "open311.create_request": public(),  # the api_key is checked by the view (403 spec error when revoked)
    # tickets
    "tickets_api.create": only(*INTAKE, scope=Scope.VISIBLE),
    "tickets_api.index": logged_in(Scope.VISIBLE),
    "tickets_api.show": logged_in(Scope.VISIBLE),
    "tickets_api.perform": logged_in(Scope.VISIBLE),
    "tickets_api.reveal_phone": only(*UNMASK, scope=Scope.VISIBLE),  # one ticket, access-logged
    "hotspots_api.ticket_duplicates": only(*CENTRE_DESK, scope=Scope.VISIBLE),
    "hotspots_api.hotspot_list": only(*VIEWERS, scope=Scope.CENTRE),
    # calendar, departments, catalogue, classifier
    "calendar_api.days": logged_in(Scope.REFERENCE),
    "calendar_api.enter": only(ADMIN, scope=Scope.REFERENCE),
    "departments_api.index": logged_in(Scope.REFERENCE),
    "districts_api.index": logged_in(Scope.REFERENCE),
    "districts_api.create": only(ADMIN, scope=Scope.REFERENCE),
    "districts_api.change": only(ADMIN, scope=Scope.REFERENCE),
    "dispatching_api.suggest": only(*CENTRE_DESK, scope=Scope.REFERENCE),
    "dispatching_api.monitor_view": only(*VIEWERS, scope=Scope.CENTRE),
    "dispatching_api.monitor_resume": only(SUP, ADMIN, scope=Scope.CENTRE),  # ends a pause, recorded
    "dispatching_api.rules": only(*CENTRE_DESK, scope=Scope.REFERENCE),
    "dispatching_api.add_rule": only(ADMIN, scope=Scope.REFERENCE),
    "dispatching_api.change_rule": only(ADMIN, scope=Scope.REFERENCE),
    "dispatching_api.retire": only(ADMIN, scope=Scope.REFERENCE),
    # follow-ups, notifications
    "followups_api.queue": only(FU, SUP, DISP, ADMIN, scope=Scope.CENTRE),
    "notify_api.index": logged_in(Scope.SELF),
    "notify_api.read": logged_in(Scope.SELF),
    "notify_api.read_all": logged_in(Scope.SELF),
    # knowledge base
    "kb_api.search": logged_in(Scope.VISIBLE),
    "kb_api.index": logged_in(Scope.VISIBLE),
    "kb_api.show": logged_in(Scope.VISIBLE),
    "kb_api.create": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "kb_api.edit": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "kb_api.act": logged_in(Scope.VISIBLE),
    "kb_api.review_tasks": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "kb_api.close_review_task": only(SUP, ADMIN, scope=Scope.CENTRE),
    "kb_api.import_file": only(SUP, ADMIN, scope=Scope.CENTRE),
    "kb_api.export": only(SUP, ADMIN, scope=Scope.CENTRE),
    # metrics
    "metrics_api.index": only(*VIEWERS, scope=Scope.CENTRE),
    "metrics_api.drill_down": only(*VIEWERS, scope=Scope.CENTRE),
    "metrics_api.ranking": only(*VIEWERS, scope=Scope.CENTRE),
    "metrics_api.monthly_report": only(*VIEWERS, scope=Scope.CENTRE),
    "metrics_api.export": only(*VIEWERS, scope=Scope.CENTRE),
    # pages
    "web.login": public(),
    "web.logout": public(Scope.SELF),
    "web.home": logged_in(Scope.SELF),
    "web.password": logged_in(Scope.SELF),
    "web.console": only(OP, DISP, scope=Scope.VISIBLE),
    "web.console_create": only(OP, DISP, scope=Scope.VISIBLE),
    "web.console_ticket": only(OP, DISP, scope=Scope.VISIBLE),
    "web.assist_suggestions": only(OP, DISP, scope=Scope.REFERENCE),
    "web.assist_kb": only(OP, DISP, scope=Scope.REFERENCE),
    "web.assist_history": only(OP, DISP, scope=Scope.VISIBLE),  # caller_history: tickets the user may open
    "web.kb_feedback": only(OP, DISP, scope=Scope.VISIBLE),
    "web.console_emergency": only(OP, DISP, scope=Scope.VISIBLE),
    "web.dispatch_desk": only(DISP, SUP, ADMIN, scope=Scope.CENTRE),
    "web.ticket_list": logged_in(Scope.VISIBLE),
    "web.ticket_detail": logged_in(Scope.VISIBLE),
    "web.ticket_act": logged_in(Scope.VISIBLE),
    "web.followups": only(FU, SUP, DISP, ADMIN, scope=Scope.CENTRE),
    "web.followup_reveal": only(FU, ADMIN, scope=Scope.VISIBLE),  # one number, access-logged
    "web.monthly_report": only(*VIEWERS, scope=Scope.CENTRE),
    "web.supervision_dashboard": only(*VIEWERS, scope=Scope.CENTRE),
    "web.supervision_monitor_resume": only(SUP, ADMIN, scope=Scope.CENTRE),  # ends a monitor pause, recorded
    "web.supervision_drill": only(*VIEWERS, scope=Scope.CENTRE),
    "web.supervision_export": only(*VIEWERS, scope=Scope.CENTRE),
    "web.supervision_watch": only(*VIEWERS, scope=Scope.CENTRE),
    "web.supervision_hotspots": only(*VIEWERS, scope=Scope.CENTRE),
    "web.inbox": logged_in(Scope.SELF),
    "web.inbox_read": logged_in(Scope.SELF),
    "web.inbox_read_all": logged_in(Scope.SELF),
    "web.online_requests": only(OP, DISP, scope=Scope.VISIBLE),
    "web.apikeys": only(ADMIN, scope=Scope.CENTRE),
    # 系统管理 (hotline/web/admin): admins only
    "web.admin_home": only(ADMIN, scope=Scope.CENTRE),
    "web.admin_users": only(ADMIN, scope=Scope.CENTRE),
    "web.admin_users_create": only(ADMIN, scope=Scope.CENTRE),
    "web.admin_users_active": only(ADMIN, scope=Scope.CENTRE),
    "web.admin_users_password": only(ADMIN, scope=Scope.CENTRE),
    "web.admin_users_role": only(ADMIN, scope=Scope.CENTRE),
    "web.admin_departments": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_departments_create": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_departments_update": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_districts": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_districts_create": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_districts_update": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_calendar": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_calendar_enter": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_calendar_remove": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_catalogue": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_catalogue_create": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_catalogue_update": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_catalogue_retire": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_limits": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_limits_save": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_limits_reset": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_kb": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_new": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_create": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_article": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_edit": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_move": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_review": only(DEPT, SUP, ADMIN, scope=Scope.VISIBLE),
    "web.admin_kb_task_close": only(SUP, ADMIN, scope=Scope.CENTRE),
    "web.admin_kb_import": only(SUP, ADMIN, scope=Scope.CENTRE),
    "web.admin_kb_import_run": only(SUP, ADMIN, scope=Scope.CENTRE),
    # an import's file name, uploader and row errors: the same roles that may import and export every article
    "web.admin_kb_import_status": only(SUP, ADMIN, scope=Scope.CENTRE),
    "web.admin_kb_import_progress": only(SUP, ADMIN, scope=Scope.CENTRE),
    "web.admin_kb_export": only(SUP, ADMIN, scope=Scope.CENTRE),
    "web.admin_models": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_models_promote": only(ADMIN, scope=Scope.REFERENCE),
    "web.admin_models_rollback": only(ADMIN, scope=Scope.REFERENCE),
    "web.apikeys_create": only(ADMIN, scope=Scope.CENTRE),
    "web.apikeys_revoke": only(ADMIN, scope=Scope.CENTRE),
    # citizen pages: no login; a ticket shows only to the browser that gave its number + phone digits
    # (SELF: the citizen's own request), behind CSRF, the fill-time token and the Redis limits
    "public.static": public(),
    "public.index": public(),
    "public.submit_form": public(),
    "public.submit_post": public(),
    "public.receipt": public(Scope.SELF),
    "public.track_form": public(),
    "public.track_post": public(Scope.SELF),
    "public.track_ticket": public(Scope.SELF),
    "public.rate": public(Scope.SELF),
}


def rule_for(endpoint: str) -> Access | None:
    """The declared access of an endpoint, or None when it is undeclared."""
    return ACCESS.get(endpoint)


def undeclared(app: Flask) -> list[str]:
    """Endpoints of the URL map without a line in ACCESS (a test keeps this empty)."""
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(ACCESS))


def _enforce() -> Any:
    """Check the table before the view runs: 401/403 JSON on the API, login redirect/403 page on pages."""
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return None  # no route matched (404/405 follow), or only the Allow header is asked for
    from hotline.errors import Forbidden, wants_json

    access = rule_for(endpoint)
    if access is None:
        log.error("route %s has no line in hotline.access.ACCESS: refused", endpoint)
        raise Forbidden("此路由未声明访问规则", code="undeclared_route")
    if access.public:
        return None
    if wants_json():
        from hotline.auth.web import current_user

        if not access.allows(current_user().role):
            raise Forbidden(f"角色 {current_user().role} 无权执行此操作")
        return None
    from hotline.web.auth import login_redirect, page_user
    from hotline.web.blueprint import error_page

    user = page_user()
    if user is None:
        return login_redirect()
    if not access.allows(user.role):
        return error_page(403, "您的角色无权访问此页面。")
    return None


def init_access(app: Flask) -> None:
    """Enforce ACCESS on every request of the app."""
    app.before_request(_enforce)
