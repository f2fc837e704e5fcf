"""Departments and users of the demo city 滨江市 (fictional; no contest data)."""

from __future__ import annotations

# (code, name, category, district)
DEPARTMENTS: list[tuple[str, str, str, str | None]] = [
    ("housing", "市住房和城乡建设局", "municipal", None),
    ("ecology", "市生态环境局", "municipal", None),
    ("transport", "市交通运输局", "municipal", None),
    ("education", "市教育局", "municipal", None),
    ("hrss", "市人力资源和社会保障局", "municipal", None),
    ("commerce", "市商务局", "municipal", None),
    ("health", "市卫生健康委员会", "municipal", None),
    ("urban", "市城市管理局", "municipal", None),
    ("market", "市市场监督管理局", "municipal", None),
    ("water", "市水务局", "municipal", None),
    ("police", "市公安局", "municipal", None),
    ("fund", "市住房公积金管理中心", "municipal", None),
    ("civil", "市民政局", "municipal", None),
    ("power", "国网滨江供电公司", "utility", None),
    ("gas", "滨江燃气集团", "utility", None),
    ("gov_donghu", "东湖区人民政府", "district", "东湖区"),
    ("gov_xishan", "西山区人民政府", "district", "西山区"),
    ("gov_nanhu", "南湖区人民政府", "district", "南湖区"),
    ("gov_beicheng", "北城区人民政府", "district", "北城区"),
    ("gov_gaoxin", "高新区管委会", "district", "高新区"),
]

# (code, name): loaded into the districts table, which admins edit from then on
DISTRICT_ROWS: list[tuple[str, str]] = [("donghu", "东湖区"), ("xishan", "西山区"), ("nanhu", "南湖区"),
                                        ("beicheng", "北城区"), ("gaoxin", "高新区")]
# The demo's own traffic generator (history.py) and benches draw from these names; the app reads the table.
DISTRICTS = [name for _code, name in DISTRICT_ROWS]

DEMO_PASSWORD = "hotline-demo"

# (username, display name, role, department code)
USERS: list[tuple[str, str, str, str | None]] = [
    ("admin", "系统管理员", "admin", None),
    ("operator", "话务员小王", "operator", None),
    ("operator2", "话务员小李", "operator", None),
    ("dispatcher", "派单员老陈", "dispatcher", None),
    ("followup", "回访员小周", "followup", None),
    ("supervisor", "督办科刘科长", "supervisor", None),
    *[(f"dept_{code}", f"{name}联络员", "department", code) for code, name, _c, _d in DEPARTMENTS],
]
