"""恢复自动派单 on the 考核看板: the button for supervisors and admins, a reason to confirm, nothing for others."""

from __future__ import annotations

import pytest
import time_machine

from tests.dispatching.test_monitor import (
    _create,
    _send_back,
    _unseen,
    monitored,  # noqa: F401  (fixture)
)
from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.web.conftest import text


def _panel(html: str) -> str:
    return html.split('id="auto-dispatch-monitor"', 1)[1].split("</section>", 1)[0]


def _pause(api) -> str:  # type: ignore[no-untyped-def]
    for i, content in enumerate(_unseen(10)):
        _send_back(api, _create(api, content, i))
    return api.get("/dispatch/monitor", user="supervisor").get_json()["models"][0]["model_version"]


@pytest.mark.usefixtures("monitored")
def test_a_supervisor_resumes_a_paused_model_from_the_dashboard_with_a_reason(api, pages):
    with time_machine.travel(T0, tick=False):
        version = _pause(api)
        supervisor = pages.client("supervisor")  # a page session opened at the frozen time
        panel = _panel(text(supervisor.get("/supervision")))
        assert "恢复自动派单…" in panel and 'name="reason"' in panel and "确认恢复" in panel
        assert f"/supervision/monitor/{version}/resume" in panel and "恢复理由（必填" in panel
        done = supervisor.post(f"/supervision/monitor/{version}/resume", data={"reason": "已更新派单目录，恢复试运行"})
        assert done.status_code == 302 and done.headers["Location"].endswith("/supervision#auto-dispatch-monitor")
        page = text(supervisor.get("/supervision"))
        model = api.get("/dispatch/monitor", user="supervisor").get_json()["models"][0]
    assert "已恢复" in page and "模型的自动派单" in page  # the flash message
    panel = _panel(page)
    assert "督办科刘科长恢复自动派单" in panel and "理由：已更新派单目录，恢复试运行" in panel
    assert "暂停自动派单：阈值 0.0%" in panel  # the earlier pause stays in the list of adjustments
    assert "样本收集中" in panel and "确认恢复" not in panel  # nothing paused now: no button
    assert model["paused"] is False and model["outcomes"] == 0


@pytest.mark.usefixtures("monitored")
def test_a_blank_reason_is_told_in_chinese_and_changes_nothing(api, pages):
    with time_machine.travel(T0, tick=False):
        version = _pause(api)
        admin = pages.client("admin")
        with unchanged(pages.app):
            refused = admin.post(f"/supervision/monitor/{version}/resume", data={"reason": "  "})
            stale = admin.post("/supervision/monitor/20990101T000000000000Z-deadbeef/resume", data={"reason": "恢复"})
    assert refused.status_code == 422 and "请填写恢复理由" in text(refused)
    assert "确认恢复" in _panel(text(refused))  # still paused: the form is there to try again
    assert stale.status_code == 409 and "没有被暂停" in text(stale)


@pytest.mark.usefixtures("monitored")
def test_dispatchers_see_the_monitor_but_cannot_resume(api, pages):
    with time_machine.travel(T0, tick=False):
        version = _pause(api)
        dispatcher, operator = pages.client("dispatcher"), pages.client("operator")
        panel = _panel(text(dispatcher.get("/supervision")))
        with unchanged(pages.app):
            assert dispatcher.post(f"/supervision/monitor/{version}/resume", data={"reason": "x"}).status_code == 403
            assert operator.post(f"/supervision/monitor/{version}/resume", data={"reason": "x"}).status_code == 403
    assert "已暂停自动派单" in panel and "确认恢复" not in panel and "恢复自动派单…" not in panel
