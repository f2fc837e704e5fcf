"""模型版本: the kept versions with their metrics; an admin rolls back and promotes; a version this
installation cannot load is never made current."""

from __future__ import annotations

import json
from pathlib import Path

import classifier
from tests.support.footprint import unchanged
from tests.web.conftest import text


def current_version(app) -> str:  # type: ignore[no-untyped-def]
    return classifier.current_model_dir(app.config["HOTLINE_MODEL_DIR"]).name


def two_versions(app, promote) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    promote(0.5)
    older = current_version(app)
    promote(0.9)
    return older, current_version(app)


def test_the_page_lists_versions_with_metrics_newest_first(pages, app, promote):
    older, newer = two_versions(app, promote)
    page = text(pages.client("admin").get("/admin/models"))
    assert page.index(f'data-version="{newer}"') < page.index(f'data-version="{older}"')
    assert "第 2 版" in page and "第 1 版" in page and "当前使用" in page and "0.900" in page and "0.500" in page
    assert "宏平均F1" in page and "各类别指标" in page and "市水务局" in page  # labels shown as unit names
    assert "回滚到上一版本" in page


def test_roll_back_and_promote_switch_the_model_that_dispatches(pages, app, promote):
    older, newer = two_versions(app, promote)
    admin = pages.client("admin")
    response = admin.post("/admin/models/rollback")
    assert response.status_code == 302
    assert current_version(app) == older
    from hotline.dispatching.suggest import current_model

    with app.app_context():
        assert current_model().threshold == 0.5  # this process answers with the rolled-back model at once
    page = text(admin.get("/admin/models"))
    assert "已回滚到上一个模型版本" in page and "回滚到上一版本" not in page
    assert admin.post("/admin/models/promote", data={"version": newer}).status_code == 302
    assert current_version(app) == newer
    from sqlalchemy import select

    from hotline.db import session
    from hotline.departments.models import User
    from hotline.notify.models import Notification

    with app.app_context():
        db = session()
        supervisor = db.scalar(select(User).where(User.username == "supervisor"))
        told = db.scalars(select(Notification.body).where(Notification.user_id == supervisor.id,
                                                          Notification.title == "派单模型已切换")).all()
    assert len(told) == 2 and any("系统管理员" in body and "启用第 1 版" in body for body in told)


def test_unknown_or_unloadable_versions_are_refused_in_chinese(pages, app, promote):
    older, newer = two_versions(app, promote)
    admin = pages.client("admin")
    with unchanged(app):
        unknown = admin.post("/admin/models/promote", data={"version": "nope"})
    assert unknown.status_code == 404 and "没有这个模型版本" in text(unknown)
    meta_path = Path(app.config["HOTLINE_MODEL_DIR"]) / "versions" / older / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["libraries"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with unchanged(app):
        refused = admin.post("/admin/models/promote", data={"version": older})
    assert refused.status_code == 409 and "无法在当前运行环境中加载" in text(refused)
    assert current_version(app) == newer


def test_without_any_model_the_page_says_so(pages):
    admin = pages.client("admin")
    assert "尚未训练任何模型" in text(admin.get("/admin/models"))
    assert admin.post("/admin/models/rollback").status_code == 302
    assert "没有可回滚的更早版本" in text(admin.get("/admin/models"))


def test_only_admins_manage_models(pages, app, promote):
    older, newer = two_versions(app, promote)
    for user in ("supervisor", "dispatcher", "operator"):
        client = pages.client(user)
        with unchanged(app):
            assert client.get("/admin/models").status_code == 403
            assert client.post("/admin/models/rollback").status_code == 403
            assert client.post("/admin/models/promote", data={"version": older}).status_code == 403
        assert current_version(app) == newer
