"""CSV and XLSX exports of the metrics rows: the same numbers as the screen."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from hotline.spreadsheet import csv_row, xlsx_append
from hotline.supervision.ranking import CATEGORY_LABELS
from hotline.supervision.rates import COUNTS, RATE_KEYS

HEAD = ("group", "label", "category")
COLUMN_LABELS = {
    "group": "分组代码", "label": "名称", "category": "类别",
    "received": "受理量", "citizens": "诉求人数（含并单）", "resolved_on_call": "直办量", "dispatched": "派单量",
    "signed_on_time": "及时签收量", "returned": "退单量", "responded": "及时响应量", "due": "到期量",
    "replied": "已答复量", "replied_on_time": "按时答复量", "overdue": "超期量", "to_follow_up": "待回访量",
    "followed_up": "已回访量", "valid_follow_ups": "有效回访量", "solved": "解决", "partly_solved": "部分解决",
    "satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意", "reopened": "重办量",
    "repeat_dissatisfied": "重复不满意工单", "urged": "催办次数", "supervised": "督办次数",
    "online_ratings": "网上评价量（好差评）", "online_satisfied": "网上评价满意",
    "online_basically_satisfied": "网上评价基本满意", "online_dissatisfied": "网上评价不满意",
    "sign_on_time_rate": "及时签收率", "return_rate": "退单率", "response_rate": "响应率",
    "on_time_closing_rate": "按时办结率", "closing_rate": "办结率", "follow_up_rate": "回访率",
    "solved_rate": "解决率", "satisfied_rate": "满意率（含网上评价）", "reopen_rate": "重办率",
    "resolved_on_call_rate": "直办率", "score": "综合得分",
}


def columns(*, readable: bool = False) -> tuple[str, ...]:
    """Every column of an export, in order (the readable form leaves the group code out)."""
    return (*(HEAD[1:] if readable else HEAD), *COUNTS, *RATE_KEYS)


def _records(doc: dict[str, Any], cols: tuple[str, ...], readable: bool) -> Iterable[list[Any]]:
    for row in doc["rows"]:
        values = dict(row)
        if readable and values.get("category") is not None:
            values["category"] = CATEGORY_LABELS.get(values["category"], values["category"])
        yield [values.get(c) for c in cols]
    yield [{"group": "total", "label": "合计"}.get(c, doc["total"].get(c)) for c in cols]


def _header(cols: tuple[str, ...], readable: bool) -> list[str]:
    return [COLUMN_LABELS.get(c, c) for c in cols] if readable else list(cols)


def to_csv(doc: dict[str, Any], *, readable: bool = False) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads the Chinese); the key names as header, or the Chinese labels
    when readable (the pages' downloads)."""
    cols = columns(readable=readable)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header(cols, readable))
    for record in _records(doc, cols, readable):
        writer.writerow(csv_row(record))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(doc: dict[str, Any], *, readable: bool = False) -> bytes:
    """A workbook: sheet 指标 with the rows (key names as header, or Chinese labels when readable),
    sheet 说明 with labels and the period."""
    cols = columns(readable=readable)
    book = Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.append(_header(cols, readable))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in _records(doc, cols, readable):
        xlsx_append(sheet, record)
    for index, key in enumerate(cols, start=1):
        if key in RATE_KEYS:
            for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                row[0].number_format = "0.00%"
    sheet.freeze_panes = "C2" if readable else "D2"
    notes = book.create_sheet("说明")
    for row in _notes(doc, readable):
        xlsx_append(notes, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GROUP_LABELS = {"department": "承办单位", "district": "区", "kind": "诉求类型", "channel": "受理渠道"}
WEIGHT_LABELS = {"response": "响应率权重", "solved": "解决率权重", "satisfied": "满意率权重",
                 "partly_solved": "部分解决折算", "basically_satisfied": "基本满意折算"}


def _notes(doc: dict[str, Any], readable: bool) -> list[list[Any]]:
    """The 说明 sheet: period, grouping, weights, and (for key-named exports) what each column means."""
    if readable:
        weights = "，".join(f"{WEIGHT_LABELS.get(k, k)} {v}" for k, v in doc["weights"].items())
        return [["统计区间", f"{doc['from']} 至 {doc['to']}（北京时间）"],
                ["分组", GROUP_LABELS.get(doc["group_by"], doc["group_by"])], ["权重", weights],
                ["网上评价", f"满意率含市民网上评价（好差评）{doc['total'].get('online_ratings', 0)} 条"]]
    online = f"满意率含市民网上评价（好差评）{doc['total'].get('online_ratings', 0)} 条，见 online_* 各列"
    return ([["统计区间", f"{doc['from']} 至 {doc['to']}"], ["分组", doc["group_by"]],
             ["权重", ", ".join(f"{k}={v}" for k, v in doc["weights"].items())], ["网上评价", online], [],
             ["字段", "含义"]]
            + [[key, COLUMN_LABELS.get(key, key)] for key in columns()])
