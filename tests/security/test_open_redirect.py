"""Open redirect: after login (and after a page move) only same-site paths are followed."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from hotline.web.blueprint import safe_next

NASTY = [
    "//evil.example/x", "/\t/evil.example/x", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "https://evil.example/", "http:evil.example",
    "HTTPS://evil.example", "javascript:alert(1)", "data:text/html,x", "//evil.example@hotline/x",
    " //evil.example", "/\u3000/evil.example", "/\u200b/evil.example", "/\x00/evil.example", "\x0c//evil.example",
    "evil.example", "../evil", "/" + "a" * 3000,
]
SAFE = [("/tickets", "/tickets"), ("/tickets?status=dispatched&page=2", "/tickets?status=dispatched&page=2"),
        ("/tickets/5#events", "/tickets/5#events"), ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
        ("/工单", "/%E5%B7%A5%E5%8D%95")]


@pytest.mark.parametrize("target", NASTY)
def test_nasty_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize(("target", "expected"), SAFE)
def test_same_site_paths_are_kept(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize("target", NASTY[:16])
def test_login_never_leaves_the_site(pages, target):
    response = pages.client().post(f"/login?next={quote(target, safe='')}",
                                   data={"username": "operator", "password": "hotline-demo"})
    location = response.headers["Location"]
    assert response.status_code == 302 and location == "/", (target, location)


def test_the_reported_tab_trick_goes_home(pages):
    response = pages.client().post("/login?next=/%09/evil.example/x",
                                   data={"username": "operator", "password": "hotline-demo"})
    assert response.headers["Location"] == "/"


def test_a_page_move_only_goes_back_on_site(pages, api):
    ticket = api.create()
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
    response = pages.client("dept_ecology").post(f"/tickets/{ticket['id']}/act/sign",
                                                 data={"next": "/\t/evil.example/x"})
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302 and not location.netloc and location.path == f"/tickets/{ticket['id']}"
