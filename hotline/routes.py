"""Every blueprint of the app, in one list."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Mount the API and pages."""
    from hotline.auth.api import bp as auth_api
    from hotline.departments.api import bp as departments_api
    from hotline.followups.api import bp as followups_api
    from hotline.openapi import bp as openapi_bp
    from hotline.tickets.api import bp as tickets_api
    from hotline.tickets.api import document_actions

    app.extensions.setdefault("openapi_extenders", []).append(document_actions)
    for blueprint in (auth_api, departments_api, followups_api, openapi_bp, tickets_api):
        app.register_blueprint(blueprint)
    from hotline.supervision.api import blueprints as supervision_blueprints
    for blueprint in supervision_blueprints():
        app.register_blueprint(blueprint)
