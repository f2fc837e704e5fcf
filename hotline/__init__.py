"""hotline: the 12345 citizen-hotline web app (application factory)."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, error handlers, API blueprints and CLI commands."""
    from hotline import (
        models,  # noqa: F401  (registers every table on the metadata)
        refdata,  # noqa: F401  (its session listeners invalidate the reference caches)
    )
    from hotline.access import init_access
    from hotline.cli import register_cli
    from hotline.config import load_config
    from hotline.db import init_db
    from hotline.errors import register_error_handlers
    from hotline.parsing import init_parsing
    from hotline.routes import register_blueprints
    from hotline.security import init_security
    from hotline.supervision import hotspot_clusters, live_facts

    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(config))
    init_parsing(app)  # before the blueprints: bounded <int:...> ids, strict JSON, the request screen
    init_db(app)
    register_error_handlers(app)
    register_blueprints(app)
    init_access(app)  # after the screen: the bearer token is read only once it is known to be clean
    init_security(app)
    register_cli(app)
    live_facts.install()  # the rate facts rewritten with every move, in its transaction
    hotspot_clusters.install()  # each received ticket placed in its hotspot cluster
    return app
