"""Page login with a session cookie: who is logged in, the role check, login and logout."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from hotline.auth.service import PAGE, authenticate, revoke_token, start_session, user_for_token
from hotline.auth.throttle import TooManyAttempts, guarded_login
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.errors import Unauthorized
from hotline.web.blueprint import bp, error_page, safe_next

F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    """用户名 and 密码."""

    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


def page_user() -> User | None:
    """The user of this browser's page session, if the session is live on the server (and the user active)."""
    if "page_user" not in g:
        sid = session.get("sid")
        user = None
        if isinstance(sid, str):
            try:
                user = user_for_token(db_session(), token=sid, now=utcnow(), kind=PAGE)
            except Unauthorized:
                user = None
        g.page_user = user
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


def _end_page_session() -> None:
    """Revoke this browser's session on the server (a copied cookie dies with it) and clear the cookie."""
    sid = session.get("sid")
    if isinstance(sid, str):
        revoke_token(db_session(), token=sid, now=utcnow())
    session.clear()


def begin_page_session(user: User) -> None:
    """A fresh server-side session for the user in this browser (a planted cookie cannot be reused)."""
    _end_page_session()
    session["sid"] = start_session(db_session(), user=user, now=utcnow(),
                                   ttl_hours=current_app.config["TOKEN_TTL_HOURS"])


def _throttled(exc: TooManyAttempts, form: LoginForm) -> Any:
    flash(exc.message, "error")
    response = make_response(render_template("web/login.html", form=form), 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """登录 (failed logins are throttled per account and per address)."""
    form = LoginForm()
    if form.validate_on_submit():
        db, name, secret = db_session(), form.username.data or "", form.password.data or ""
        try:
            user = guarded_login(name, request.remote_addr or "-",
                                 lambda: authenticate(db, username=name, password=secret))
        except TooManyAttempts as exc:
            return _throttled(exc, form)
        if user is not None:
            begin_page_session(user)
            db.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("web.home"))
        flash("用户名或密码错误", "error")
    elif request.method == "POST":
        flash("；".join(e for errors in form.errors.values() for e in errors) or "请重新登录", "error")
    return render_template("web/login.html", form=form), 200 if request.method == "GET" else 401


@bp.post("/logout")
def logout() -> Any:
    """退出: the session ends on the server too."""
    _end_page_session()
    db_session().commit()
    flash("已退出登录", "success")
    return redirect(url_for("web.login"))
