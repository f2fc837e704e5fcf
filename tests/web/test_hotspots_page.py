"""热点诉求 page: the planted clusters with trend, district, examples and links to their tickets."""

from __future__ import annotations

import re

import time_machine

from tests.supervision.test_hotspots import plant
from tests.support.factories import T0
from tests.web.conftest import text


def test_clusters_show_with_trend_and_link_to_their_tickets(api, pages):
    planted = plant(api)
    with time_machine.travel(T0, tick=False):
        body = text(pages.client("supervisor").get("/supervision/hotspots?days=7"))
        only_west = text(pages.client("supervisor").get("/supervision/hotspots?days=7&district=西山区"))
    sections = re.findall(r'<section class="card hotspot".*?</section>', body, re.S)
    assert len(sections) == 2
    water = sections[0]
    assert "西山区" in water and "12 件工单" in water and "停水" in water and "趋势：" in water
    linked = {int(n) for n in re.findall(r'href="/tickets/(\d+)"', water)}
    assert linked == set(planted["water"])
    assert "<svg" in water and "首次 2026年11月" in water
    assert len(re.findall(r'<section class="card hotspot"', only_west)) == 1


def test_bad_window_falls_back_with_a_message_and_other_roles_are_refused(api, pages):
    with time_machine.travel(T0, tick=False):
        page = pages.client("supervisor").get("/supervision/hotspots?days=abc")
        assert page.status_code == 200 and "统计天数只能是" in text(page)
        assert pages.client("operator").get("/supervision/hotspots").status_code == 403
