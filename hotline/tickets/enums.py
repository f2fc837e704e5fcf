"""Ticket vocabulary (DESIGN section 1 and 2): code names and their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a ticket is in its course."""

    RECEIVED = "received"
    PENDING_DISPATCH = "pending_dispatch"
    DISPATCHED = "dispatched"
    RETURNED = "returned"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"
    REPLIED = "replied"
    AWAITING_FOLLOW_UP = "awaiting_follow_up"
    CLOSED = "closed"
    MERGED = "merged"
    TRANSFERRED = "transferred"


class Action(StrEnum):
    """Every move of DESIGN section 2; the URL form uses hyphens."""

    RECEIVE = "receive"
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN = "return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    REQUEST_SUSPENSION = "request_suspension"
    DENY_SUSPENSION = "deny_suspension"
    SUSPEND = "suspend"
    RESUME = "resume"
    REPLY = "reply"
    ACCEPT_REPLY = "accept_reply"
    SEND_BACK = "send_back"
    FOLLOW_UP = "follow_up"
    URGE = "urge"
    SUPERVISE = "supervise"
    MERGE = "merge"
    RESOLVE_ON_CALL = "resolve_on_call"
    TRANSFER_EMERGENCY = "transfer_emergency"
    MARK_INVALID = "mark_invalid"
    CONTACT = "contact"
    REQUEST_EXCLUSION = "request_exclusion"
    APPROVE_EXCLUSION = "approve_exclusion"
    DENY_EXCLUSION = "deny_exclusion"
    SKIP_FOLLOW_UP = "skip_follow_up"  # system only: closed without a call under the sampling rule
    RATE_REPLY = "rate_reply"  # system only: the citizen's online rating (好差评) of the reply

    @property
    def slug(self) -> str:
        """The action as it appears in the URL."""
        return self.value.replace("_", "-")


class Kind(StrEnum):
    """Request kind."""

    CONSULTATION = "consultation"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


class Urgency(StrEnum):
    """Urgency; it sets the time limits."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"
    COMPLEX = "complex"


class Channel(StrEnum):
    """How the request came in."""

    PHONE = "phone"
    WEB = "web"
    APP = "app"
    WECHAT = "wechat"
    SMS = "sms"
    MAILBOX = "mailbox"


class ReplyResult(StrEnum):
    """The department's result."""

    SOLVED = "solved"
    PARTLY_SOLVED = "partly_solved"
    EXPLAINED = "explained"
    UNSOLVABLE = "unsolvable"


class Solved(StrEnum):
    """The caller's view of whether the problem was solved."""

    SOLVED = "solved"
    PARTLY = "partly"
    UNSOLVED = "unsolved"


class Satisfaction(StrEnum):
    """The caller's satisfaction."""

    SATISFIED = "satisfied"
    BASICALLY = "basically"
    DISSATISFIED = "dissatisfied"


class CloseReason(StrEnum):
    """Why a ticket is closed."""

    FOLLOWED_UP = "followed_up"
    RESOLVED_ON_CALL = "resolved_on_call"
    INVALID = "invalid"
    UNREACHABLE = "unreachable"  # 未回访成功
    NOT_SAMPLED = "not_sampled"  # closed without a follow-up call under the sampling rule


LABELS: dict[str, str] = {
    "received": "已受理", "pending_dispatch": "待派单", "dispatched": "已派单", "returned": "已退单",
    "in_progress": "办理中", "suspended": "已挂起", "replied": "已答复", "awaiting_follow_up": "待回访",
    "closed": "已办结", "merged": "已并单", "transferred": "已转办",
    "receive": "受理", "dispatch": "派单", "sign": "签收", "return": "退单", "approve_return": "同意退单",
    "reject_return": "驳回退单", "request_extension": "申请延期", "approve_extension": "批准延期",
    "deny_extension": "驳回延期", "request_suspension": "申请挂起", "deny_suspension": "驳回挂起申请", "suspend": "挂起", "resume": "解挂",
    "reply": "答复", "accept_reply": "审核通过", "send_back": "审核退回", "follow_up": "回访",
    "urge": "催办", "supervise": "督办", "merge": "并单", "resolve_on_call": "直办",
    "transfer_emergency": "转110/119/120", "mark_invalid": "无效诉求", "contact": "联系诉求人",
    "skip_follow_up": "未抽中免回访", "request_exclusion": "申请不纳入考核",
    "approve_exclusion": "批准不纳入考核", "deny_exclusion": "驳回不纳入考核", "rate_reply": "网上评价",
    "consultation": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议",
    "praise": "表扬", "emergency": "紧急", "urgent": "加急", "normal": "一般", "complex": "复杂",
    "phone": "电话", "web": "网站", "app": "APP", "wechat": "微信", "sms": "短信", "mailbox": "市长信箱",
    "channel": "市民自助渠道",
    "solved": "已解决", "partly_solved": "部分解决", "explained": "已解释说明", "unsolvable": "暂无法解决",
    "partly": "部分解决", "unsolved": "未解决", "satisfied": "满意", "basically": "基本满意",
    "dissatisfied": "不满意", "followed_up": "回访后办结", "resolved_on_call": "直办（直接答复办结）", "unreachable": "未回访成功",
    "not_sampled": "未抽中回访", "invalid": "无效诉求", "110": "110 报警", "119": "119 火警", "120": "120 急救",
}

OPEN_STATUSES = frozenset(set(Status) - {Status.CLOSED, Status.MERGED, Status.TRANSFERRED})
# States in which the reply clock runs, so a passed reply_due_at means overdue (suspended: clock stopped).
REPLY_CLOCK_STATUSES = frozenset({Status.DISPATCHED, Status.RETURNED, Status.IN_PROGRESS})
