"""A citizen's browser without a browser: the public forms with their CSRF and fill-time tokens, from one
client address, on a clock the test moves (the fill time and the rate limits read it)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import time_machine
from flask import Flask

from tests.support.factories import T0


def hidden(html: str, name: str) -> str:
    """The value of a hidden input of a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} on the page"
    return match.group(1)


def online_request(**overrides: Any) -> dict[str, str]:
    """A valid 网上诉求 form; keyword arguments override fields (None removes one)."""
    form = {"content": "南湖区湖滨花园小区门口的路灯坏了一个多月，晚上很黑，老人走路不安全，希望尽快修好。",
            "kind": "help", "district": "南湖区", "address": "湖滨花园小区东门", "caller_name": "李女士",
            "caller_phone": "139 1234 5678"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


class Citizen:
    """One visitor of /public/ from one address; ``now`` moves forward with every form filled."""

    def __init__(self, app: Flask, address: str = "198.51.100.7", now: datetime = T0) -> None:
        self.client = app.test_client()
        self.address = address
        self.now = now

    def _env(self) -> dict[str, str]:
        return {"REMOTE_ADDR": self.address}

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET at the citizen's clock."""
        with time_machine.travel(self.now, tick=False):
            return self.client.get(path, environ_base=self._env(), **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> Any:
        """POST at the citizen's clock."""
        with time_machine.travel(self.now, tick=False):
            return self.client.post(path, data=data, environ_base=self._env(), **kwargs)

    def wait(self, seconds: float) -> None:
        """Let time pass."""
        self.now += timedelta(seconds=seconds)

    def submit(self, form: dict[str, str] | None = None, *, fill_seconds: float = 30, **tokens: str) -> Any:
        """Open /public/submit, take ``fill_seconds`` to fill it in, and send it."""
        page = self.get("/public/submit").get_data(as_text=True)
        self.wait(fill_seconds)
        data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
                **(form if form is not None else online_request()), **tokens}
        return self.post("/public/submit", data)

    def track(self, number: str, last4: str) -> Any:
        """Look a ticket up on /public/track."""
        page = self.get(f"/public/track?number={number}").get_data(as_text=True)
        self.wait(5)
        return self.post("/public/track", {"csrf_token": hidden(page, "csrf_token"), "number": number,
                                           "last4": last4})

    def rate(self, number: str, rating: str, comment: str = "") -> Any:
        """Rate the reply as the ticket's page would (after a successful track); the CSRF token is the
        session's, taken from the look-up form so a page without a rating form can be tried too."""
        page = self.get("/public/track").get_data(as_text=True)
        self.wait(5)
        return self.post(f"/public/track/{number}/rate", {"csrf_token": hidden(page, "csrf_token"),
                                                           "rating": rating, "comment": comment})


def number_on(html: str) -> str:
    """The ticket number shown on a page."""
    match = re.search(r"\d{8}-\d{6}", html)
    assert match, "no ticket number on the page"
    return match.group(0)
