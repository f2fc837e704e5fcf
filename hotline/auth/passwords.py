"""Password hashing with argon2id, and the same cost for a user that does not exist."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotline.errors import ValidationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 8
MAX_LENGTH = 200


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Hashed with the same parameters as real users, so verifying against it costs the same.
    return _hasher.hash("no user has this password: it only spends the time a real check takes")


def spend_verify_time(password: str) -> None:
    """Verify against a dummy hash, so an unknown user takes as long as a wrong password."""
    verify_password(_dummy_hash(), password)


def check_new_password(password: str, *, old: str | None = None) -> None:
    """The password rules for a new password (422 in Chinese otherwise)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationError(f"新密码长度须在 {MIN_LENGTH} 到 {MAX_LENGTH} 位之间",
                              details=[{"field": "new_password", "message": "长度不符"}])
    if old is not None and password == old:
        raise ValidationError("新密码不能与原密码相同", details=[{"field": "new_password", "message": "与原密码相同"}])
