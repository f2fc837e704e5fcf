"""Every blueprint of the app, in one list."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Mount the API, Open311 and the pages."""
    from hotline.auth.api import bp as auth_api
    from hotline.auth.users_api import bp as users_api
    from hotline.casework.api import bp as tickets_api
    from hotline.casework.api import document_actions
    from hotline.casework.calendar_api import bp as calendar_api
    from hotline.citizen.pages import bp as public_pages
    from hotline.departments.api import bp as departments_api
    from hotline.departments.districts_api import bp as districts_api
    from hotline.dispatching.api import bp as dispatching_api
    from hotline.followups.api import bp as followups_api
    from hotline.knowledge.api import bp as kb_api
    from hotline.notify.api import bp as notify_api
    from hotline.open311 import submit as _open311_post  # noqa: F401  (attaches POST requests.json)
    from hotline.open311.api import bp as open311_api
    from hotline.openapi import bp as openapi_bp
    from hotline.privacy.api import bp as access_log_api
    from hotline.supervision.api import blueprints as supervision_blueprints
    from hotline.web import bp as web_pages

    app.extensions.setdefault("openapi_extenders", []).append(document_actions)
    for blueprint in (access_log_api, auth_api, calendar_api, departments_api, districts_api, dispatching_api, followups_api, kb_api,
                      notify_api, open311_api, openapi_bp, tickets_api, users_api, *supervision_blueprints(),
                      web_pages, public_pages):
        app.register_blueprint(blueprint)
