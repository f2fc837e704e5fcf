"""修改密码: every logged-in user changes their own password; their other sessions and tokens end."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from hotline.auth.service import change_password
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.errors import ValidationError
from hotline.web.auth import begin_page_session, login_required, me
from hotline.web.blueprint import bp


class PasswordForm(FlaskForm):
    """原密码, 新密码 and 确认新密码."""

    old_password = PasswordField("原密码", validators=[DataRequired("请输入原密码"), Length(max=200)])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=200)])
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码"),
                                                  EqualTo("new_password", "两次输入的新密码不一致")])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required()
def password() -> Any:
    """修改密码; this browser stays logged in with a new session, every other one ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        db, user = db_session(), me()
        try:
            change_password(db, user=user, old=form.old_password.data or "", new=form.new_password.data or "",
                            now=utcnow())
        except ValidationError as exc:
            db.rollback()
            flash(exc.message, "error")
            return render_template("web/password.html", form=form), 422
        begin_page_session(user)
        db.commit()
        flash("密码已修改，其他设备上的登录和令牌均已失效", "success")
        return redirect(url_for("web.home"))
    if request.method == "POST":
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return render_template("web/password.html", form=form), 422
    return render_template("web/password.html", form=form)
