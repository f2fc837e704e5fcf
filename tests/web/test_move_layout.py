"""Ticket page moves: 签收/答复 first and strongest, rare requests behind 更多操作, nothing unaskable offered."""

from __future__ import annotations

import re

from tests.web.conftest import text


def sections(html: str) -> tuple[str, str]:
    """The visible moves and the ones inside the 更多操作 disclosure."""
    more = re.search(r'<details class="more-moves">.*?</details>', html, re.S)
    hidden = more.group(0) if more else ""
    return html.replace(hidden, ""), hidden


def test_department_sees_reply_first_and_rare_requests_behind_more(pages, api):
    ticket = api.create()
    api.drive(ticket["id"], until="in_progress")
    html = text(pages.client("dept_ecology").get(f"/tickets/{ticket['id']}"))
    shown, more = sections(html)
    assert 'class="move move-reply primary-move"' in shown
    assert shown.index("move-reply") < shown.index("move-request-extension")
    assert "<summary>更多操作</summary>" in html
    for slug in ("request-exclusion", "request-suspension"):
        assert f'data-move="{slug}"' in more and f'data-move="{slug}"' not in shown


def test_signing_is_the_primary_move_of_a_dispatched_ticket(pages, api):
    ticket = api.create()
    api.drive(ticket["id"], until="dispatched")
    shown, _more = sections(text(pages.client("dept_ecology").get(f"/tickets/{ticket['id']}")))
    assert 'class="move move-sign primary-move"' in shown


def test_approvals_are_offered_only_for_requests_that_were_made(pages, api):
    ticket = api.create()
    api.drive(ticket["id"], until="in_progress")
    supervisor = pages.client("supervisor")
    html = text(supervisor.get(f"/tickets/{ticket['id']}"))
    for slug in ("approve-exclusion", "deny-exclusion", "approve-extension", "deny-extension", "suspend"):
        assert f'data-move="{slug}"' not in html, slug
    api.act(ticket["id"], "request-exclusion", "dept_ecology", {"reason": "不属本市职权"})
    api.act(ticket["id"], "request-extension", "dept_ecology", {"days": 2, "reason": "等检测"})
    api.act(ticket["id"], "request-suspension", "dept_ecology", {"reason": "等判决"})
    html = text(supervisor.get(f"/tickets/{ticket['id']}"))
    for slug in ("approve-exclusion", "deny-exclusion", "approve-extension", "deny-extension", "suspend"):
        assert f'data-move="{slug}"' in html, slug
    department = text(pages.client("dept_ecology").get(f"/tickets/{ticket['id']}"))
    for slug in ("request-exclusion", "request-extension", "request-suspension"):
        assert f'data-move="{slug}"' not in department, slug  # already asked for
