"""考核看板: the rates of DESIGN section 6 for a period against the previous one, drill-down, ranking, exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Response, current_app, flash, render_template, request, url_for
from sqlalchemy import select

from hotline import access
from hotline.auth.service import log_access
from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.errors import ValidationError
from hotline.supervision import exports, fact_queries, periods, rates
from hotline.supervision.api import VIEWERS
from hotline.supervision.ranking import rank
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import can_see
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_page
from hotline.web.charts import bar_chart, percent

GROUP_LABELS = exports.GROUP_LABELS
RATE_LABELS = {key: exports.COLUMN_LABELS[key] for key in rates.RATE_KEYS}
COUNT_LABELS = {key: exports.COLUMN_LABELS[key] for key in rates.COUNTS}
DEFAULT_METRIC = "on_time_closing_rate"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Query:
    """What the dashboard shows: the period, the one before it, the grouping and the charted rate."""

    period: periods.Period
    previous: periods.Period
    group_by: str
    metric: str

    def args(self, **extra: Any) -> dict[str, Any]:
        """The query string of this view, for links."""
        return {"from": self.period.first.isoformat(), "to": self.period.last.isoformat(),
                "group_by": self.group_by} | extra


def previous_of(period: periods.Period) -> periods.Period:
    """The period of the same length that ends the day before."""
    length = (period.last - period.first).days + 1
    return periods.Period(period.first - timedelta(days=length), period.first - timedelta(days=1))


def _query() -> Query:
    """The dashboard's query from the URL; bad values fall back to the defaults with a message."""
    today = local(utcnow()).date()
    try:
        period = periods.parse(request.args.get("from") or None, request.args.get("to") or None, today=today)
    except ValidationError:
        flash("统计区间有误（日期格式应为 年-月-日，起始不晚于截止，最长 400 天），已显示最近 30 天", "error")
        period = periods.parse(None, None, today=today)
    group_by = request.args.get("group_by") or "department"
    if group_by not in GROUP_LABELS:
        flash("未知的分组方式，已按承办单位显示", "error")
        group_by = "department"
    metric = request.args.get("metric") or DEFAULT_METRIC
    if metric not in RATE_LABELS:
        metric = DEFAULT_METRIC
    return Query(period, previous_of(period), group_by, metric)


def cn_date(value: Any) -> str:
    """A date in Chinese form: 2026年11月30日."""
    return f"{value.year}年{value.month}月{value.day}日"


@bp.app_template_filter("cn_time")
def cn_time(value: Any, with_time: bool = True) -> str:
    """An instant (datetime or ISO text) or a date (YYYY-MM-DD) as Beijing time in Chinese form."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return cn_date(value)
    moment = local(value) if value.tzinfo else value
    return cn_date(moment) + (f" {moment:%H:%M}" if with_time else "")


def _drill_href(q: Query, metric: str, group: str | None = None) -> str:
    extra = {"metric": metric} | ({"group": group} if group is not None else {})
    args = q.args(**extra)
    if group is None:
        args.pop("group_by")
    return url_for("web.supervision_drill", **args)


@bp.get("/supervision")
@login_required(*VIEWERS)
def supervision_dashboard() -> Any:
    """The rates per group for the period and the previous one, a bar chart, the ranking and downloads."""
    q, db, now = _query(), db_session(), utcnow()
    doc = rates.metrics(db, period=q.period, group_by=q.group_by, now=now)
    before = rates.metrics(db, period=q.previous, group_by=q.group_by, now=now)
    by_dept = doc if q.group_by == "department" else rates.metrics(db, period=q.period, group_by="department",
                                                                    now=now)
    previous = {r["group"]: r for r in before["rows"]}
    chart = bar_chart(doc["rows"], key=q.metric, previous=previous,
                      href=lambda row: _drill_href(q, q.metric, row["group"]))
    return render_template(
        "web/supervision.html", q=q, doc=doc, before=before, previous=previous, chart=chart,
        ranking=rank(by_dept["rows"], current_app.config["SUPERVISION"]), rate_labels=RATE_LABELS,
        group_labels=GROUP_LABELS, drill=lambda metric, group=None: _drill_href(q, metric, group),
        cn_date=cn_date, pct=percent, month=f"{q.period.last:%Y-%m}", links=dashboard_links(),
        monitor=auto_dispatch_monitor(db), presets=presets(local(now).date()))


MONITOR_STATUS = {"collecting": "样本收集中", "ok": "正常", "raised": "已提高阈值", "paused": "已暂停自动派单"}
MONITOR_ACTIONS = {"raise_threshold": "提高阈值", "pause": "暂停自动派单", "resume": "恢复自动派单"}


def model_label(version: str) -> str:
    """A model version (20261130T141500123456Z-1a2b3c4d) as its training time in Beijing, in Chinese."""
    try:
        trained = datetime.strptime(version.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return version
    return f"{cn_time(trained)} 训练"


def presets(today: date) -> list[tuple[str, dict[str, str]]]:
    """Quick periods: the last 7 and 30 days, this month and last month."""
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    spans = [("最近 7 天", today - timedelta(days=6), today), ("最近 30 天", today - timedelta(days=29), today),
             ("本月", first, today), ("上月", last_month_end.replace(day=1), last_month_end)]
    return [(text, {"from": a.isoformat(), "to": b.isoformat()}) for text, a, b in spans]


def auto_dispatch_monitor(db: Any) -> dict[str, Any]:
    """The classifier's live auto-dispatch monitor (rolling precision per model version, latest events)."""
    from hotline.dispatching.monitor import monitor_summary
    from hotline.dispatching.suggest import current_model

    summary = monitor_summary(db, config=current_app.config, current=current_model(), events=5)
    for model in summary["models"]:
        model["label"] = model_label(model["model_version"])
    resumers = access.rule_for("web.supervision_monitor_resume")
    return summary | {"status_labels": MONITOR_STATUS, "action_labels": MONITOR_ACTIONS,
                      "can_resume": resumers is not None and resumers.allows(me().role)}


def dashboard_links() -> list[tuple[str, str]]:
    """Related pages of other parts shown on the dashboard, to the roles that may open them (href, label)."""
    wanted = [("web.access_log_page", "访问日志（谁查看了诉求人信息）")]
    known = set(current_app.view_functions)
    allowed = [(endpoint, label) for endpoint, label in wanted
               if endpoint in known and (rule := access.rule_for(endpoint)) is not None and rule.allows(me().role)]
    return [(url_for(endpoint), label) for endpoint, label in allowed]


@bp.get("/supervision/tickets")
@login_required(*VIEWERS)
def supervision_drill() -> Any:
    """The tickets behind one figure of the dashboard, with what each adds to the numerator and denominator."""
    q, db, user = _query(), db_session(), me()
    metric = request.args.get("metric") or DEFAULT_METRIC
    if metric not in RATE_LABELS and metric not in COUNT_LABELS:
        return error_page(400, "未知的统计指标")
    group = request.args.get("group") or None
    group_by = q.group_by if group else None
    numerator, denominator = rates.drill_terms(metric)
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    per_page = 50
    found = fact_queries.drill(db, period=q.period, now=utcnow(), numerator=numerator, denominator=denominator,
                               group_by=group_by, group=group, page=page_no, per_page=per_page)
    chunk = found["items"]
    tickets = {t.id: t for t in db.scalars(select(Ticket).where(Ticket.id.in_([i["ticket_id"] for i in chunk])))}
    shown = [(i, tickets[i["ticket_id"]]) for i in chunk
             if i["ticket_id"] in tickets and can_see(user, tickets[i["ticket_id"]])]
    doc_label = _group_label(db, group_by, group)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "web/supervision_drill.html", q=q, metric=metric, label=RATE_LABELS.get(metric) or COUNT_LABELS[metric],
        is_rate=metric in RATE_LABELS, group_label=doc_label, group_by_label=GROUP_LABELS.get(group_by or ""),
        items=shown, total=found["total"], counted=found["counted"], denominator=found["denominator"],
        page=page_no, pages=max(1, -(-found["total"] // per_page)), args=args, cn_date=cn_date)


def _group_label(db: Any, group_by: str | None, group: str | None) -> str | None:
    if group_by is None or group is None:
        return None
    return rates.labels(db).row_head(group_by, None if group == rates.NONE_GROUP else group)["label"]


@bp.get("/supervision/export")
@login_required(*VIEWERS)
def supervision_export() -> Any:
    """The dashboard's rows as an xlsx or csv download (a GET: it changes nothing but the access log)."""
    q, db = _query(), db_session()
    fmt = request.args.get("format") or "xlsx"
    if fmt not in ("csv", "xlsx"):
        return error_page(400, "导出格式只能是电子表格或逗号分隔文件")
    doc = rates.metrics(db, period=q.period, group_by=q.group_by, now=utcnow())
    body = exports.to_csv(doc, readable=True) if fmt == "csv" else exports.to_xlsx(doc, readable=True)
    log_access(db, user=me(), action="export_metrics", now=utcnow(),
               detail={"format": fmt, "from": doc["from"], "to": doc["to"], "group_by": doc["group_by"],
                       "rows": len(doc["rows"]), "via": "page"})
    db.commit()
    name = f"metrics_{doc['group_by']}_{doc['from']}_{doc['to']}.{fmt}"
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
