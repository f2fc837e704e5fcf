"""Page login with a session cookie: who is logged in, the role check, login and logout."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from hotline.auth.passwords import verify_password
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.web.blueprint import bp, error_page, safe_next

F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    """用户名 and 密码."""

    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


def page_user() -> User | None:
    """The user logged in to this browser session, if any (and still active)."""
    if "page_user" not in g:
        user_id, login_at = session.get("user_id"), session.get("login_at")
        # A cookie is only good for as long as an API token (TOKEN_TTL_HOURS) after the password was checked.
        fresh = isinstance(login_at, int | float) and 0 <= utcnow().timestamp() - login_at <= \
            current_app.config["TOKEN_TTL_HOURS"] * 3600
        user = db_session().get(User, user_id) if isinstance(user_id, int) and fresh else None
        g.page_user = user if user is not None and user.active else None
    return g.page_user


def me() -> User:
    """The logged-in user of a view behind login_required."""
    user = page_user()
    if user is None:  # login_required guarantees a user; reaching here is a programming error
        raise RuntimeError("me() called outside login_required")
    return user


def _return_target() -> str | None:
    """Where to come back after login: this page for a GET, nowhere for a form post."""
    return request.full_path.rstrip("?") if request.method == "GET" else None


def login_redirect() -> Any:
    """Send an anonymous visitor to the login page, to come back here afterwards."""
    return redirect(url_for("web.login", next=_return_target()))


def login_required(*roles: Role) -> Callable[[F], F]:
    """Send anonymous visitors to the login page; with roles given, others get a 403 page."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = page_user()
            if user is None:
                return login_redirect()
            if allowed and user.role not in allowed:
                return error_page(403, "您的角色无权访问此页面。")
            return view(*args, **kwargs)

        wrapper.required_roles = allowed  # type: ignore[attr-defined]  (checked against hotline.access)
        return wrapper  # type: ignore[return-value]

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """登录."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db_session().scalar(select(User).where(User.username == form.username.data))
        if user is not None and user.active and verify_password(user.password_hash, form.password.data or ""):
            session.clear()  # a fresh session on login, so a planted cookie cannot be reused
            session["user_id"] = user.id
            session["login_at"] = int(utcnow().timestamp())
            return redirect(safe_next(request.args.get("next")) or url_for("web.home"))
        flash("用户名或密码错误", "error")
    elif request.method == "POST":
        flash("；".join(e for errors in form.errors.values() for e in errors) or "请重新登录", "error")
    return render_template("web/login.html", form=form), 200 if request.method == "GET" else 401


@bp.post("/logout")
def logout() -> Any:
    """退出."""
    session.clear()
    flash("已退出登录", "success")
    return redirect(url_for("web.login"))
