"""The `unchanged` check itself: it must catch a change, or every "a refused request changes nothing" passes."""

from __future__ import annotations

import pytest

from tests.support.factories import ticket_body
from tests.support.footprint import unchanged


def test_a_ticket_received_inside_the_block_is_caught(app, api):
    with pytest.raises(AssertionError, match="changed the database") as caught, unchanged(app):
        assert api.post("/tickets", ticket_body()).status_code == 201
    assert "'tickets'" in str(caught.value) and "'ticket_events'" in str(caught.value)


def test_a_first_login_is_not_a_change_but_a_read_log_is_when_asked(app, api):
    with unchanged(app):  # the client's token for the supervisor is issued here: a login, not a change
        assert api.get("/dispatch/monitor", user="supervisor").status_code == 200
    with unchanged(app):  # a read logged is not a change by default
        _log_a_read(app)
    with pytest.raises(AssertionError, match="access_log"), unchanged(app, count_reads=True):
        _log_a_read(app)


def _log_a_read(app) -> None:  # type: ignore[no-untyped-def]
    from hotline.auth.service import log_access
    from hotline.clock import utcnow
    from hotline.departments.models import User

    with app.extensions["db"].sessions() as db:
        user = db.query(User).filter(User.role == "supervisor").first()
        log_access(db, user=user, action="view_ticket", now=utcnow(), detail={})
        db.commit()
