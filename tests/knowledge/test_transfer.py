"""Import (dry run, row-by-row errors, all or nothing) and export, through the API and the CLI."""

from __future__ import annotations

import io
import json

from tests.knowledge.helpers import create
from tests.support.footprint import unchanged

GOOD_CSV = (
    "title,answer,department,questions,tags,effective_from,expires_on\r\n"
    "社保卡补办,携带身份证到社保经办网点补办。,hrss,社保卡丢了怎么办|社保卡补办流程,社保,,\r\n"
    "公积金提取条件,购房、租房、退休可提取。,fund,,公积金,2026-01-01,2027-12-31\r\n"
)
BAD_CSV = (
    "title,answer,department,questions,tags,effective_from,expires_on\r\n"
    "社保卡补办,携带身份证到社保经办网点补办。,hrss,,,,\r\n"
    ",没有标题,hrss,,,,\r\n"
    "未知部门,答复,nowhere,,,,\r\n"
    "日期错误,答复,fund,,,2026-02-30,\r\n"
)


def _total(api) -> int:  # type: ignore[no-untyped-def]
    return api.get("/kb/articles?per_page=1", user="supervisor").get_json()["total"]


def _import(api, text: str, query: str = "", content_type: str = "text/csv", user: str = "supervisor"):  # type: ignore[no-untyped-def]
    return api.call("POST", f"/kb/import{query}", user, data=text.encode(), content_type=content_type)


def test_dry_run_reports_every_bad_row_and_writes_nothing(api, empty_kb):
    with unchanged(api.app):
        response = _import(api, BAD_CSV, "?dry_run=1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["dry_run"] and not body["ok"] and not body["written"]
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "title"), (4, "department"),
                                                                (5, "effective_from")]
    assert _total(api) == 0


def test_import_with_one_bad_row_writes_nothing(api, empty_kb):
    with unchanged(api.app):
        response = _import(api, BAD_CSV)
    assert response.status_code == 422
    assert len(response.get_json()["error"]["details"]["errors"]) == 3
    assert _total(api) == 0


def test_good_import_then_reimport_updates_and_export_round_trips(api, empty_kb):
    dry = _import(api, GOOD_CSV, "?dry_run=1").get_json()
    assert dry["ok"] and dry["created"] == 2 and _total(api) == 0
    done = _import(api, GOOD_CSV)
    assert done.status_code == 201 and done.get_json()["created"] == 2
    items = api.get("/kb/articles", user="supervisor").get_json()["items"]
    assert {a["status"] for a in items} == {"published"}
    card = next(a for a in items if a["title"] == "社保卡补办")
    assert card["questions"] == ["社保卡丢了怎么办", "社保卡补办流程"]
    assert api.get("/kb/search?q=社保卡补办").get_json()["items"][0]["id"] == card["id"]

    exported = api.get("/kb/export?format=json", user="supervisor")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    articles = json.loads(exported.get_data(as_text=True))
    articles[0]["answer"] = "携带身份证到任一社保经办网点补办，当场可取。"
    again = _import(api, json.dumps(articles, ensure_ascii=False), content_type="application/json").get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 1)
    history = api.get(f"/kb/articles/{card['id']}", user="supervisor").get_json()["versions"]
    assert [v["action"] for v in history] == ["import", "import"]

    csv_export = api.get("/kb/export?format=csv", user="supervisor")
    assert csv_export.mimetype == "text/csv" and csv_export.get_data(as_text=True).startswith("\ufeff")
    assert _import(api, csv_export.get_data(as_text=True), "?dry_run=1").get_json()["unchanged"] == 2


def test_import_as_multipart_file_and_permissions(api, empty_kb):
    data = {"file": (io.BytesIO(GOOD_CSV.encode("utf-8-sig")), "kb.csv")}
    response = api.call("POST", "/kb/import?status=draft", "admin", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert {a["status"] for a in api.get("/kb/articles", user="admin").get_json()["items"]} == {"draft"}
    with unchanged(api.app):
        assert _import(api, GOOD_CSV, user="dept_hrss").status_code == 403
        assert _import(api, GOOD_CSV, user="operator").status_code == 403
        assert api.get("/kb/export", user="operator").status_code == 403
        assert _import(api, GOOD_CSV, "?status=retired").status_code == 422
        assert _import(api, "", "?dry_run=1").status_code == 422
        assert _import(api, "not json", "?dry_run=1", content_type="application/json").get_json()["ok"] is False
        assert api.call("POST", "/kb/import", "supervisor", data=b"\xff\xfe",
                        content_type="text/csv").status_code == 422


def test_cli_import_and_export(app, empty_kb, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(bad)])
    assert result.exit_code == 1 and "row 3: title" in result.output
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    assert runner.invoke(args=["kb", "import", str(good), "--dry-run"]).exit_code == 0
    result = runner.invoke(args=["kb", "export", "--format", "json"])
    assert json.loads(result.output) == []
    assert runner.invoke(args=["kb", "import", str(good)]).exit_code == 0
    result = runner.invoke(args=["kb", "export", "--format", "json"])
    assert [a["title"] for a in json.loads(result.output)] == ["社保卡补办", "公积金提取条件"]
    assert "review tasks +" in runner.invoke(args=["kb", "review-tasks"]).output


def test_pipe_in_a_question_is_refused(api, empty_kb):
    create(api, expect=422, questions=["a|b"])
