"""Request authentication for the API: bearer token → current user, role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from hotline.auth.service import user_for_token
from hotline.clock import utcnow
from hotline.db import session
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.errors import Forbidden, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str:
    """The bearer token of the current request."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("需要登录：请在 Authorization 头中提供 Bearer 令牌")
    return token.strip()


def current_user() -> User:
    """The authenticated user of this request."""
    if "user" not in g:
        g.user = user_for_token(session(), token=bearer_token(), now=utcnow())
    return g.user


def require(*roles: Role) -> Callable[[F], F]:
    """Authenticate the request; with roles given, allow only those."""
    allowed: Iterable[Role] = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if allowed and user.role not in allowed:
                raise Forbidden(f"角色 {user.role} 无权执行此操作")
            return view(*args, **kwargs)

        wrapper.required_roles = frozenset(allowed)  # type: ignore[attr-defined]  (checked against hotline.access)
        return wrapper  # type: ignore[return-value]

    return decorate
