"""An event payload as Chinese text for the timeline: labels for keys, department names, local times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from hotline.clock import local
from hotline.web.forms import ACTION_FIELD_LABELS, FIELD_LABELS, label

PAYLOAD_LABELS = {
    "on_time": "按时", "channel": "渠道", "auto": "自动派单", "previous": "原承办单位", "redispatch": "改派",
    "attempt": "回访次数", "follow_up_due_at": "回访期限", "reply_due_at": "答复期限", "returned_by": "退单单位",
    "correction": "纠错", "first": "首次联系", "article_title": "知识库条目", "reopen": "重办",
    "decision": "派单依据", "close_reason": "办结方式",
    "rating": "市民评价", "comment": "评价意见", "cycle": "答复轮次", "online": "网上评价",
    "call_requested": "要求回访", "was_closed": "原办结方式",
    "into_number": "并入工单", "reopened": "重办", "old_due": "原答复期限", "new_due": "新答复期限",
    "count": "累计次数", "system": "系统自动", "sample_rate": "回访抽样比例",
    "extension_request_closed": "随之关闭的延期申请（工作日）", "suspension_request_closed": "随之关闭的挂起申请",
}
# Internal ids and versions: the page shows the ticket number / article title beside them instead.
HIDDEN = frozenset({"into", "article_id", "model_version", "threshold"})
DECIDED_BY = {"model": "分类模型", "catalogue": "派单目录"}
ISO = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?")


def _time(text: str) -> str | None:
    if not ISO.fullmatch(text):
        return None
    try:
        return local(datetime.fromisoformat(text.replace("Z", "+00:00"))).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _decision(value: dict[str, Any], names: dict[str, str]) -> str:
    """派单依据: 派单目录「规则名」 or 分类模型（置信度 93%）."""
    by = DECIDED_BY.get(str(value.get("by")), "其他")
    if value.get("by") == "catalogue":
        rule = value.get("rule") if isinstance(value.get("rule"), dict) else {}
        return f"{by}「{rule.get('name', '')}」" if rule.get("name") else by
    confidence = value.get("confidence")
    if isinstance(confidence, int | float):
        return f"{by}（置信度 {confidence:.0%}）"
    return by


def value_text(key: str, value: Any, names: dict[str, str]) -> str:
    """One payload value in Chinese: 是/否, department names, labels of codes, local times."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(key, v, names) for v in value)
    if isinstance(value, dict):
        return _decision(value, names) if key == "decision" else "；".join(
            f"{PAYLOAD_LABELS.get(k) or FIELD_LABELS.get(k, '其他')}：{value_text(k, v, names)}"
            for k, v in sorted(value.items()) if k not in HIDDEN and v not in (None, "", [], {}))
    if isinstance(value, float) and key.endswith("rate"):
        return f"{value:.0%}"
    text = str(value)
    return _time(text) or names.get(text) or label(text)


def payload_text(payload: dict[str, Any] | None, action: str | None, names: dict[str, str]) -> str:
    """An event payload as readable Chinese text: 承办单位：市生态环境局；按时：是."""
    if not payload:
        return ""
    keys = PAYLOAD_LABELS | FIELD_LABELS | ACTION_FIELD_LABELS.get(action, {})
    parts = [f"{keys.get(k, '其他')}：{value_text(k, v, names)}"
             for k, v in sorted(payload.items()) if k not in HIDDEN and v not in (None, "", [], {})]
    return "；".join(parts)
