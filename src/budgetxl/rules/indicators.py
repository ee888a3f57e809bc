"""绩效指标 structure: labels within the framework, one framework per form, no empty 一级 or 二级
block, no duplicate 三级 names.

Label findings are reported once per block (the rows sharing a merged 一级 or 二级 cell), on the
block's first row, not once per row.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter
from typing import Iterator

from budgetxl.frameworks import Framework, get_framework, pair_framework_ids, standard_label, suggest
from budgetxl.rules.fields import no_indicators
from budgetxl.rules.registry import Context, Hit, normalized, rule
from budgetxl.text import normalize_label


def _options(labels: tuple[str, ...]) -> str:
    return "、".join(labels)


def _other_framework(ctx: Context, level1: str, level2: str) -> Framework | None:
    """The framework a pair exclusively belongs to when that is not the form's framework."""
    ids = pair_framework_ids(level1, level2)
    if ids and ctx.frameworks.framework.id not in ids:
        return get_framework(ids[0])
    return None


@rule(
    "BX201",
    "error",
    "一级指标不在指标体系中",
    "一级指标必须是所用指标体系中的一级指标（2015/2020年版：产出指标、效益指标、满意度指标；"
    "2021年版另有成本指标；2013年版共性指标框架只有产出指标、效益指标）。"
    "竖排文字、全角字符、缺少“指标”二字都可以识别。会给出最接近的标准名称。",
    "一级指标写成“产出效果指标” → 建议改为“产出指标”。",
)
def level1_unknown(ctx: Context) -> Iterator[Hit]:
    fw = ctx.frameworks.framework
    for run in ctx.level1_runs:
        ind = ctx.form.indicators[run[0]]
        if fw.standard_level1(ind.level1) is not None or _other_framework(ctx, ind.level1, ind.level2):
            continue
        if not ind.level1.strip():
            message = f"一级指标为空，应为：{_options(fw.level1)}"
        else:
            message = f"一级指标“{normalize_label(ind.level1)}”不在{fw.name}中"
            best = suggest(ind.level1, fw.level1)
            message += f"，建议改为“{best}”" if best else f"，应为：{_options(fw.level1)}"
        yield Hit(message, f"indicators[{run[0]}].level1", ind.level1)


@rule(
    "BX202",
    "error",
    "二级指标不在指标体系中",
    "二级指标必须是所在一级指标下的标准二级指标。会给出最接近的标准名称。",
    "满意度指标下写成“服务对象” → 建议改为“服务对象满意度指标”。",
)
def level2_unknown(ctx: Context) -> Iterator[Hit]:
    fw = ctx.frameworks.framework
    for run in ctx.level2_runs:
        ind = ctx.form.indicators[run[0]]
        if fw.standard_level2(ind.level2) is not None or _other_framework(ctx, ind.level1, ind.level2):
            continue  # a standard 二级 (perhaps under the wrong 一级: BX203) or the other framework (BX204)
        allowed = fw.level2(ind.level1) or fw.all_level2
        where = f"一级指标“{fw.standard_level1(ind.level1)}”下" if fw.level2(ind.level1) else ""
        if not ind.level2.strip():
            message = f"二级指标为空，{where}应为：{_options(allowed)}"
        else:
            message = f"二级指标“{normalize_label(ind.level2)}”不在{fw.name}中"
            best = suggest(ind.level2, allowed)
            message += f"，建议改为“{best}”" if best else f"，{where}应为：{_options(allowed)}"
        yield Hit(message, f"indicators[{run[0]}].level2", ind.level2)


@rule(
    "BX203",
    "error",
    "二级指标放错了一级指标",
    "标准的二级指标放在了不属于它的一级指标下。",
    "效益指标下出现“质量指标”（质量指标属于产出指标）。",
)
def level2_wrong_parent(ctx: Context) -> Iterator[Hit]:
    fw = ctx.frameworks.framework
    for run in ctx.level2_runs:
        ind = ctx.form.indicators[run[0]]
        level1, level2 = fw.standard_level1(ind.level1), fw.standard_level2(ind.level2)
        if level1 is None or level2 is None or fw.has(level1, level2):
            continue
        if _other_framework(ctx, ind.level1, ind.level2):
            continue
        parents = "、".join(f"“{p}”" for p in fw.parents_of(level2))
        allowed = fw.level2(level1)
        message = f"二级指标“{level2}”属于{parents}，不应放在“{level1}”下"
        best = suggest(ind.level2, allowed)
        message += f"；建议改为“{best}”" if best else f"；“{level1}”下应为：{_options(allowed)}"
        yield Hit(message, f"indicators[{run[0]}].level2", ind.level2)


@rule(
    "BX204",
    "error",
    "混用两套指标体系",
    "一张表只能使用一套指标体系：2015/2020年版（成本指标是产出指标下的二级指标）或 2021年版"
    "（成本指标是一级指标，下设经济成本指标、社会成本指标、生态环境成本指标）或 2013年版共性指标框架"
    "（社会公众或服务对象满意度指标是效益指标下的二级指标）。表中按多数标签判断所用体系，"
    "属于另一套体系的标签逐块报告。",
    "一级指标“成本指标/经济成本指标”（2021年版）与“产出指标/成本指标”（2015年版）出现在同一张表中。",
)
def frameworks_mixed(ctx: Context) -> Iterator[Hit]:
    if not ctx.frameworks.mixed:
        return
    fw = ctx.frameworks.framework
    for run in ctx.level2_runs:
        ind = ctx.form.indicators[run[0]]
        other = _other_framework(ctx, ind.level1, ind.level2)
        if other is None:
            continue
        pair = f"{standard_label(ind.level1)}/{standard_label(ind.level2)}"
        field = "level1" if other.standard_level1(ind.level1) and not fw.standard_level1(ind.level1) else "level2"
        yield Hit(
            f"“{pair}”属于{other.name}，而本表其余指标按{fw.name}填写；同一张表只能用一套指标体系",
            f"indicators[{run[0]}].{field}",
            pair,
        )


@rule(
    "BX210",
    "warning",
    "一级指标下没有指标",
    "所用指标体系的每个一级指标下都应至少有一个三级指标（占位的空行不算）。表中完全没有三级指标时只报告 BX109。",
    "表中没有任何满意度指标。",
)
def level1_empty(ctx: Context) -> Iterator[Hit]:
    if no_indicators(ctx) and ctx.layout.indicators_block is not None:
        return  # no indicator at all: BX109 says so once
    fw = ctx.frameworks.framework
    first_row: dict[str, int] = {}
    filled: set[str] = set()
    placeholders = ctx.placeholders
    for run in ctx.level1_runs:  # the rows of a run share their 一级 label key, so its standard label
        std = fw.standard_level1(ctx.form.indicators[run[0]].level1)
        if std is None:
            continue
        first_row.setdefault(std, run[0])
        if not all(placeholders[i] for i in run):
            filled.add(std)
    for level1 in fw.level1:
        if level1 in filled:
            continue
        field = f"indicators[{first_row[level1]}].level1" if level1 in first_row else "indicators"
        yield Hit(f"一级指标“{level1}”下没有填写任何三级指标", field, level1)


@rule(
    "BX211",
    "warning",
    "二级指标下没有指标",
    "表中列出的二级指标下只有空的占位行，没有三级指标。确实不适用的可以删去该二级指标，否则请补充指标。"
    "（整个一级指标为空时只报告一级指标。）",
    "“成本指标”一栏合并了两行，三级指标和指标值都是空的。",
)
def level2_empty(ctx: Context) -> Iterator[Hit]:
    fw = ctx.frameworks.framework
    inds = ctx.form.indicators
    keys, placeholders = ctx.label_keys, ctx.placeholders
    level1_filled = {keys[i][0] for i, blank in enumerate(placeholders) if not blank}
    for run in ctx.level2_runs:
        ind = inds[run[0]]
        if not all(placeholders[i] for i in run) or keys[run[0]][0] not in level1_filled:
            continue
        label = fw.standard_level2(ind.level2) or normalize_label(ind.level2)
        yield Hit(f"二级指标“{label}”下没有填写三级指标", f"indicators[{run[0]}].level2", ind.level2)


@rule(
    "BX212",
    "warning",
    "三级指标重名",
    "同一张表中不应有两个名称相同的三级指标（忽略空格和全角/半角差别）。",
    "“群众满意度”在满意度指标下出现了两次。",
)
def duplicate_names(ctx: Context) -> Iterator[Hit]:
    keys = list(map(normalized, map(attrgetter("name"), ctx.form.indicators)))
    named = [k for k in keys if k]
    if len(set(named)) == len(named):
        return  # no name twice (the usual case)
    seen: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key:
            seen[key].append(i)
    for rows in seen.values():
        for i in rows[1:]:
            name = ctx.form.indicators[i].name
            yield Hit(
                f"三级指标“{name.strip()}”与第 {rows[0] + 1} 个三级指标重名",
                f"indicators[{i}].name",
                name,
            )
