"""Time the year-over-year diff on seed-sized forms and on 500 indicators per side; in the same
run, a plain line diff (difflib) of the same two forms' YAML, which is what a person would
otherwise run (it pairs nothing and knows no amounts). Prints medians and the ratio.

    python benchmarks/bench_diff.py [--repeat N]

Goals (issue 6): diff_forms on two seed-sized forms ≤ 20 ms median; 500 indicators per side fast.
"""

from __future__ import annotations

import argparse
import difflib
import random
from decimal import Decimal

from budgetxl.diff import core, diff_forms, match
from budgetxl.diff.match import make_key, match_rows
from budgetxl.examples import EXAMPLE_INPUT
from budgetxl.model import Form, form_from_data, load_form

from _timing import compare


def perturbed(form: Form, seed: int = 1) -> Form:
    """Next year's form as departments write it: tasks reordered, one dropped and one added,
    amounts moved, a third of the indicators reworded, targets raised, two dropped, two added."""
    rng = random.Random(seed)
    data = form.to_data()
    data["year"] = (form.year or 2023) + 1
    for line in data["budget"]["expenditures"]:
        line["amount"] = str(Decimal(line["amount"]) * Decimal("1.05"))
    tasks = data["tasks"]
    rng.shuffle(tasks)
    tasks.pop()
    tasks.append({"group": "key", "name": "新增的重点工作任务", "content": "新内容", "funds": "120", "goal": "新目标"})
    for t in tasks[::3]:
        t["goal"] = t["goal"] + "并完成年度考核。"
    indicators = [x for x in data["indicators"] if x["name"]]
    for k, x in enumerate(indicators):
        if k % 3 == 0:
            x["name"] = x["name"] + "（个）"
        elif k % 3 == 1:
            x["name"] = "年度" + x["name"]
        if x["target"].startswith("≥") and x["target"][1:3].isdigit():
            x["target"] = "≥" + str(int(x["target"][1:3]) + 1) + x["target"][3:]
    del indicators[5], indicators[11]
    indicators += [
        {"level1": "产出指标", "level2": "数量指标", "name": "新增指标甲", "target": "≥10次"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "新增指标乙", "target": "良好"},
    ]
    data["indicators"] = indicators
    return form_from_data(data)


def big_form(n: int, seed: int, base: Form) -> Form:
    rng = random.Random(seed)
    syllables = "城乡居民养老保险覆盖就业创业担保贷款补贴发放资金规定时间下达服务满意度培训人次设施维修改造面积"
    names = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(7, 12))) for _ in range(n * 2)})[:n]
    level1s = ["产出指标", "效益指标", "满意度指标"]
    rows = [{"level1": level1s[k % 3], "level2": "数量指标", "name": nm, "target": f"≥{rng.randint(1, 99)}%"}
            for k, nm in enumerate(names)]
    data = base.to_data()
    data["indicators"] = rows
    return form_from_data(data)


def yaml_line_diff(a: Form, b: Form) -> list[str]:
    return list(difflib.unified_diff(a.to_yaml().splitlines(), b.to_yaml().splitlines(), lineterm=""))


def cold(fn):
    """`fn` with budgetxl's text caches emptied first: the cost of a single diff in a fresh process."""

    def run():
        match.normalize.cache_clear()
        match.core_name.cache_clear()
        core._parse_target.cache_clear()
        core._numbers_change.cache_clear()
        return fn()

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    seed = load_form(EXAMPLE_INPUT)
    nxt = perturbed(seed)
    d = diff_forms(seed, nxt)
    print(f"seed-sized pair: {len(seed.tasks)}→{len(nxt.tasks)} tasks, {len(seed.indicators)}→{len(nxt.indicators)} "
          f"indicators; counts {d.counts()['indicators']}")
    compare("budgetxl diff_forms (seed vs next year)", lambda: diff_forms(seed, nxt),
            "difflib unified_diff of the two YAMLs", lambda: yaml_line_diff(seed, nxt), repeat=args.repeat)
    compare("budgetxl diff_forms, caches emptied each time", cold(lambda: diff_forms(seed, nxt)),
            "difflib unified_diff of the two YAMLs", lambda: yaml_line_diff(seed, nxt), repeat=args.repeat)

    old = big_form(500, 3, seed)
    new = perturbed(old, seed=4)
    d = diff_forms(old, new)
    print(f"\n500 indicators per side: counts {d.counts()['indicators']}")
    compare("budgetxl diff_forms (500 × 500 indicators)", lambda: diff_forms(old, new),
            "difflib unified_diff of the two YAMLs", lambda: yaml_line_diff(old, new), repeat=max(3, args.repeat // 5))
    compare("budgetxl diff_forms 500 × 500, caches emptied", cold(lambda: diff_forms(old, new)),
            "difflib unified_diff of the two YAMLs", lambda: yaml_line_diff(old, new), repeat=max(3, args.repeat // 5))
    ko = [make_key(x.level1, x.level2, x.name, x.target) for x in old.indicators]
    kn = [make_key(x.level1, x.level2, x.name, x.target) for x in new.indicators]
    compare("match_rows alone (500 × 500)", lambda: match_rows(ko, kn),
            "difflib unified_diff of the two YAMLs", lambda: yaml_line_diff(old, new), repeat=max(3, args.repeat // 5))


if __name__ == "__main__":
    main()
