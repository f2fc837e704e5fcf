"""Generate the demo corpus ``corpus.csv`` (text,label) for the fictional city 滨江市.

Every sentence below was written for this project.  Each department has hand-written problems
("subject|body", with slots); the script combines them with callers' openings, places, durations and
demands into operator-style summaries ("subject\\nbody").  Deterministic: same output on every run.

    .venv/bin/python classifier/demo/make_corpus.py   # rewrites classifier/demo/corpus.csv
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from phrases import DETAILS, PROBLEMS

PER_LABEL = 110
OUT = Path(__file__).with_name("corpus.csv")

DISTRICTS = ["东湖区", "西山区", "南湖区", "北城区", "高新区"]
STREETS = ["东湖街道", "枫林街道", "望江街道", "城北街道", "科创街道", "桃源街道", "金沙街道"]
ESTATES = ["锦绣花园", "翠湖苑", "阳光新城", "滨江名都", "梧桐里小区", "幸福家园", "金桂园", "江畔人家",
           "书香门第", "星河湾", "紫薇小区", "丽景华庭", "康乐新村", "御景园", "青年公寓"]
ROADS = ["解放路", "人民大道", "滨江路", "建设北路", "文化路", "长江东路", "湖滨路", "工业园路", "学府路",
         "新华街", "迎宾大道", "朝阳路"]
OPENERS = ["市民来电反映：", "来电人反映，", "市民通过微信公众号反映：", "诉求人来电称，", "市民通过网站留言：",
           "来电人表示，", "市民来电投诉：", "市民来电咨询：", "", "居民反映："]
DURATIONS = ["已经持续半个月", "从上周开始一直这样", "近三个月来反复出现", "已有一年多", "这几天尤其严重",
             "前后反映过好几次", "去年就出现过", "两周以来没有改善"]
DEMANDS = ["要求相关部门尽快处理。", "希望有关部门核实后给予答复。", "请求尽快派人到现场查看。",
           "希望尽快解决，并回复处理结果。", "要求依法查处。", "希望给个明确说法。", "请相关部门督促整改。",
           "要求尽快协调解决。"]

LABELS = {"housing": "市住房和城乡建设局", "ecology": "市生态环境局", "transport": "市交通运输局",
          "education": "市教育局", "hrss": "市人力资源和社会保障局", "commerce": "市商务局",
          "health": "市卫生健康委员会", "urban": "市城市管理局", "market": "市市场监督管理局",
          "water": "市水务局", "police": "市公安局", "fund": "市住房公积金管理中心", "civil": "市民政局",
          "power": "国网滨江供电公司", "gas": "滨江燃气集团"}
EXTRAS = ["", "", "来电人留有联系电话，希望回电。", "之前打过电话，没有人处理。", "附近很多居民都有意见。",
          "社区说不归他们管。", "家里有老人和小孩。", "已经拍了照片和视频。"]


def message(rng: random.Random, code: str, problem: str) -> str:
    """Render one problem as "subject\\nbody" with random places, duration and demand."""
    slots = {"d": rng.choice(DISTRICTS), "s": rng.choice(STREETS), "e": rng.choice(ESTATES),
             "r": rng.choice(ROADS), "t": rng.choice(DURATIONS)}
    subject, body = (part.format(**slots) for part in problem.split("|"))
    body = body.rstrip("，") + ("，" if not body.endswith(("。", "？")) else "")
    tail = rng.choice(EXTRAS)
    detail = rng.choice(DETAILS[code]) if rng.random() < 0.6 else ""
    text = f"{rng.choice(OPENERS)}{body}{detail}{rng.choice(DEMANDS)}{tail}"
    return f"{subject}\n{text}"


def build(seed: int = 12345) -> list[tuple[str, str]]:
    """Return PER_LABEL distinct (text, label) rows per department, in a fixed order."""
    rng = random.Random(seed)
    rows = []
    for code, problems in PROBLEMS.items():
        seen: set[str] = set()
        while len(seen) < PER_LABEL:
            text = message(rng, code, rng.choice(problems))
            if text not in seen:
                seen.add(text)
                rows.append((text, code))
    return rows


def main() -> None:
    """Write corpus.csv with columns text,label,department."""
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "department"])
        for text, code in build():
            writer.writerow([text, code, LABELS[code]])
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
