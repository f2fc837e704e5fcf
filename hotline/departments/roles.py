"""Role codes (DESIGN section 7) and the rights attached to them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user does in the centre."""

    OPERATOR = "operator"  # 话务员
    DISPATCHER = "dispatcher"  # 派单员 (the centre)
    DEPARTMENT = "department"  # 承办单位工作人员
    FOLLOWUP = "followup"  # 回访员
    SUPERVISOR = "supervisor"  # 督办/管理
    ADMIN = "admin"  # 系统管理员
    # The citizen channels (网站, APP, 微信) as the actor of the tickets they create: one inactive
    # user per channel that can never log in (hotline.citizen.channels).
    CHANNEL = "channel"


ROLE_LABELS = {
    Role.OPERATOR: "话务员",
    Role.DISPATCHER: "派单员",
    Role.DEPARTMENT: "承办单位",
    Role.FOLLOWUP: "回访员",
    Role.SUPERVISOR: "督办",
    Role.ADMIN: "管理员",
    Role.CHANNEL: "市民自助渠道",
}

# Who may see a caller's full phone number; every such view is written to the access log.
UNMASK_ROLES = frozenset({Role.OPERATOR, Role.FOLLOWUP, Role.ADMIN})
# Who takes calls and so may create tickets (the citizen channels create theirs as a CHANNEL user).
INTAKE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})
# Who sees every ticket (department staff see only their department's).
CENTRE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.FOLLOWUP, Role.SUPERVISOR, Role.ADMIN})
# The roles a person can hold (users create / admin pages); a channel user is made by the code only.
PERSON_ROLES = frozenset(set(Role) - {Role.CHANNEL})
