"""Pairing rows of two years: exact keys, then similarity with an optimal one-to-one assignment."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.diff import match
from budgetxl.diff.match import THRESHOLD, Key, core_name, make_key, match_rows, normalize, similarity_matrix

from conftest import examples


def keys(*rows: tuple[str, str, str] | str) -> list[Key]:
    """Rows as (一级, 二级, name), or a bare name in 产出指标/数量指标."""
    out = []
    for row in rows:
        level1, level2, name = ("产出指标", "数量指标", row) if isinstance(row, str) else row
        out.append(make_key(level1, level2, name))
    return out


def pairs_of(old, new, **kw) -> set[tuple[int, int]]:
    return {(p.old, p.new) for p in match_rows(old, new, **kw).pairs}


# (case, old rows, new rows, expected pairs, expected removed, expected added)
CASES = [
    ("identical", ["甲指标名称", "乙指标名称"], ["甲指标名称", "乙指标名称"], {(0, 0), (1, 1)}, (), ()),
    ("reordered", ["城乡居民基础养老金标准", "补贴发放准确率", "群众满意度"],
     ["群众满意度", "城乡居民基础养老金标准", "补贴发放准确率"], {(0, 1), (1, 2), (2, 0)}, (), ()),
    ("unit in brackets reworded", ["城镇新增就业人数（万人）"], ["城镇新增就业人数（人）"], {(0, 0)}, (), ()),
    ("数 → 个数", ["扶持创业企业（项目）数"], ["扶持创业企业（项目）个数"], {(0, 0)}, (), ()),
    ("prefix added", ["就业困难人员就业人数"], ["解决就业困难人员就业人数（人）"], {(0, 0)}, (), ()),
    ("added and removed", ["违法建设拆除面积", "群众满意度"], ["群众满意度", "新建口袋公园数量"], {(1, 0)}, (0,), (1,)),
    ("unrelated names stay apart", ["发放创业担保贷款金额"], ["支教人员每人每年完成课时"], set(), (0,), (0,)),
    ("shared unit suffix is not similarity", ["促进创业人数（人）"], ["城镇新增就业人数（人）"], set(), (0,), (0,)),
    ("spaces and full-width forms", ["群众 满意度（％）"], ["群众满意度(%)"], {(0, 0)}, (), ()),
    ("empty old", [], ["甲"], set(), (), (0,)),
    ("empty new", ["甲"], [], set(), (0,), ()),
    ("repeated names pair in order", ["群众满意度", "群众满意度"], ["群众满意度", "群众满意度"], {(0, 0), (1, 1)}, (), ()),
]


@pytest.mark.parametrize("case, old, new, pairs, removed, added", CASES, ids=[c[0] for c in CASES])
def test_matching_table(case, old, new, pairs, removed, added):
    m = match_rows(keys(*old), keys(*new))
    assert {(p.old, p.new) for p in m.pairs} == pairs
    assert m.removed == tuple(removed)
    assert m.added == tuple(added)


def test_exact_pairs_carry_no_similarity_text_pairs_do():
    m = match_rows(keys("群众满意度", "城镇新增就业人数（万人）"), keys("群众满意度", "城镇新增就业人数（人）"))
    by_old = {p.old: p for p in m.pairs}
    assert by_old[0].similarity is None
    assert THRESHOLD <= by_old[1].similarity < 1


def test_relabelled_level2_is_paired_within_its_level1():
    old = keys(("效益指标", "社会效益指标", "全市城乡居民养老保险覆盖面"))
    new = keys(("效益指标", "质量指标", "全市城乡居民养老保险覆盖面"))
    m = match_rows(old, new)
    assert [(p.old, p.new, p.similarity) for p in m.pairs] == [(0, 0, None)]


def test_within_level1_comes_before_across():
    # The same name under two 一级 in the new year: the old row stays in its own 一级.
    old = keys(("效益指标", "社会效益指标", "群众满意度"))
    new = keys(("满意度指标", "服务对象满意度指标", "群众满意度"), ("效益指标", "社会效益指标", "群众满意度"))
    assert pairs_of(old, new) == {(0, 1)}
    # A reworded name: the candidate in the same 一级 wins over an equally close one elsewhere.
    old = keys(("效益指标", "社会效益指标", "公共服务满意度"))
    new = keys(("满意度指标", "服务对象满意度指标", "就业服务满意度"), ("效益指标", "社会效益指标", "就业服务满意度"))
    assert pairs_of(old, new) == {(0, 1)}


def test_moved_to_another_level1_is_paired_across():
    old = keys(("产出指标", "成本指标", "单位面积改造成本"))
    new = keys(("成本指标", "经济成本指标", "单位面积改造成本（元）"))
    m = match_rows(old, new)
    assert [(p.old, p.new) for p in m.pairs] == [(0, 0)]
    assert m.pairs[0].similarity is not None


def test_assignment_is_optimal_not_greedy():
    # Greedy in old order would give old 0 its best candidate (new 0) and leave old 1 unpaired
    # (or badly paired). The assignment pairs both well.
    old = keys("城乡居民养老保险参保人数", "城乡居民养老保险参保率")
    new = keys("城乡居民养老保险参保率（%）", "城乡居民养老保险参保人数（人）")
    sim = similarity_matrix(old, new)
    assert sim[0, 0] > THRESHOLD and sim[1, 0] > sim[1, 1]  # the trap: both like new 0
    assert pairs_of(old, new) == {(0, 1), (1, 0)}


def test_one_strong_pair_beats_two_weak_ones():
    # Pairing as many rows as possible would give A–Y and B–X; the summed margin above the
    # threshold prefers the one clear pair A–X and leaves B and Y unpaired.
    old = keys("城乡居民养老保险参保人数", "城乡居民养老保险补贴")
    new = keys("城乡居民养老保险参保人数（人）", "城乡居民医疗保险参保人数")
    sim = similarity_matrix(old, new)
    assert sim[0, 1] >= THRESHOLD and sim[1, 0] >= THRESHOLD and sim[1, 1] < THRESHOLD
    assert sim[0, 1] + sim[1, 0] > sim[0, 0]  # more total similarity in the two weak pairs
    m = match_rows(old, new)
    assert {(p.old, p.new) for p in m.pairs} == {(0, 0)}
    assert m.removed == (1,) and m.added == (1,)


def test_threshold_is_respected():
    old, new = keys("公共服务满意度"), keys("就业服务满意度")
    sim = float(similarity_matrix(old, new)[0, 0])
    assert pairs_of(old, new, threshold=sim) == {(0, 0)}
    assert pairs_of(old, new, threshold=sim + 0.01) == set()


def test_body_lifts_a_borderline_pair_but_never_sinks_one():
    name_only = float(similarity_matrix([make_key("", "", "甲乙丙丁戊")], [make_key("", "", "甲乙丙己庚")], 0)[0, 0])
    same_body = float(
        similarity_matrix([make_key("", "", "甲乙丙丁戊", "同样的内容")], [make_key("", "", "甲乙丙己庚", "同样的内容")])[0, 0]
    )
    other_body = float(
        similarity_matrix([make_key("", "", "甲乙丙丁戊", "完全不同")], [make_key("", "", "甲乙丙己庚", "另一回事")])[0, 0]
    )
    assert same_body > name_only
    assert other_body == pytest.approx(name_only)


def test_core_name_drops_bracketed_qualifiers():
    assert core_name(normalize("扶持创业企业（项目）数")) == "扶持创业企业数"
    assert core_name(normalize("促进就业专项资金（含创业担保贷款贴息资金）")) == "促进就业专项资金"
    assert core_name(normalize("（全部在括号里）")) == normalize("（全部在括号里）")


def _big_block(n: int, seed: int) -> tuple[list[Key], list[Key], dict[int, int]]:
    """n indicators per side; the new side reorders them, rewords a third (a unit in brackets, a
    prefix), drops 5% and adds as many new ones. Returns the expected old → new pairs."""
    rng = random.Random(seed)
    syllables = "城乡居民养老保险覆盖就业创业担保贷款补贴发放资金规定时间下达服务满意度培训人次设施维修改造面积"
    names = set()
    while len(names) < n + n // 10:
        names.add("".join(rng.choice(syllables) for _ in range(rng.randint(7, 12))))
    names = sorted(names)
    rng.shuffle(names)
    old_names, fresh = names[:n], names[n:]
    level1s = ["产出指标", "效益指标", "满意度指标"]
    old = [make_key(level1s[i % 3], "数量指标", nm) for i, nm in enumerate(old_names)]
    dropped = set(rng.sample(range(n), n // 20))
    new_rows: list[tuple[int | None, Key]] = []
    for i, nm in enumerate(old_names):
        if i in dropped:
            continue
        if i % 3 == 0:
            nm = nm + "（人）"
        elif i % 3 == 1:
            nm = "年度" + nm
        new_rows.append((i, make_key(level1s[i % 3], "质量指标" if i % 7 == 0 else "数量指标", nm)))
    for nm in fresh[: len(dropped)]:
        new_rows.append((None, make_key("产出指标", "数量指标", nm)))
    rng.shuffle(new_rows)
    expected = {i: j for j, (i, _) in enumerate(new_rows) if i is not None}
    return old, [k for _, k in new_rows], expected


def test_500_indicators_per_side_pair_correctly(capsys):
    old, new, expected = _big_block(500, seed=7)
    start = time.perf_counter()
    m = match_rows(old, new)
    elapsed = time.perf_counter() - start
    got = {p.old: p.new for p in m.pairs}
    wrong = {i for i, j in expected.items() if got.get(i) != j}
    # Random syllable soup makes a few near-twins; the matching must still be right almost always.
    assert len(wrong) <= len(expected) // 100, sorted(wrong)[:10]
    assert len(m.pairs) + len(m.removed) == len(old)
    assert len(m.pairs) + len(m.added) == len(new)
    with capsys.disabled():
        print(f"\n  match_rows 500×500: {elapsed * 1000:.1f} ms, {len(m.pairs)} pairs, {len(wrong)} off")


def test_similarity_matrix_shape_and_range():
    sim = similarity_matrix(keys("甲乙", "丙丁", "戊"), keys("甲乙", "己"))
    assert sim.shape == (3, 2)
    assert np.all((sim >= 0) & (sim <= 1))
    assert sim[0, 0] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# Invariants on any input

_names = st.text(alphabet="甲乙丙丁戊己庚辛（）人数率 ", min_size=0, max_size=8)
_rows = st.lists(st.tuples(st.sampled_from(["产出指标", "效益指标"]), st.sampled_from(["数量指标", "质量指标"]), _names),
                 max_size=12)


@settings(max_examples=examples(150), deadline=None)
@given(_rows, _rows)
def test_matching_is_one_to_one_and_accounts_for_every_row(old_rows, new_rows):
    old, new = keys(*old_rows), keys(*new_rows)
    m = match_rows(old, new)
    olds = [p.old for p in m.pairs] + list(m.removed)
    news = [p.new for p in m.pairs] + list(m.added)
    assert sorted(olds) == list(range(len(old)))
    assert sorted(news) == list(range(len(new)))
    for p in m.pairs:
        assert p.similarity is None or p.similarity >= THRESHOLD


@settings(max_examples=examples(60), deadline=None)
@given(_rows)
def test_a_block_matched_with_itself_pairs_every_named_row_exactly(rows):
    ks = keys(*rows)
    m = match_rows(ks, ks)
    for p in m.pairs:
        assert ks[p.old] == ks[p.new]
    named = [i for i, k in enumerate(ks) if k.name]
    assert sorted(p.old for p in m.pairs if p.similarity is None) == named


_bodies = st.text(alphabet="≥≤0123456789%人次良好", min_size=0, max_size=5)
_body_rows = st.lists(st.tuples(_names, _bodies), min_size=1, max_size=14)


@settings(max_examples=examples(150), deadline=None)
@given(_body_rows, _body_rows, st.sampled_from([0.0, 0.15, 0.2, 0.3]), st.sampled_from([0.3, THRESHOLD, 0.8, 1.01]))
def test_pairing_scores_agree_with_the_matrix_wherever_a_pair_can_form(old_rows, new_rows, body_weight, threshold):
    # Pairing scores in full only the cells whose core names are alike enough; every cell that
    # reaches the threshold must have exactly the matrix's value, every other cell stay below it.
    old = [make_key("产出指标", "", name, body) for name, body in old_rows]
    new = [make_key("产出指标", "", name, body) for name, body in new_rows]
    dense = similarity_matrix(old, new, body_weight)
    scored = match._pairing_similarity(old, new, body_weight, threshold)
    reach = dense >= threshold
    assert np.array_equal(scored >= threshold, reach)
    assert np.array_equal(scored[reach], dense[reach])


def _assign_by_solving(sub, old_ids, new_ids, n_old, n_new, threshold):
    """The assignment solved every time (what `_assign` does when its shortcut does not apply)."""
    from scipy.optimize import linear_sum_assignment

    margin = np.where(sub >= threshold, sub - threshold + 1e-5, 0.0)
    if not margin.any():
        return []
    pos_old = np.asarray(old_ids, dtype=np.float64)[:, None] / n_old
    pos_new = np.asarray(new_ids, dtype=np.float64)[None, :] / n_new
    rows, cols = linear_sum_assignment(-margin + 1e-6 * np.abs(pos_old - pos_new))
    return [(old_ids[r], new_ids[c]) for r, c in zip(rows, cols) if sub[r, c] >= threshold]


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.sampled_from([0.1, 0.2, 0.5]), st.randoms(use_true_random=False))
def test_sole_candidates_are_paired_as_the_solved_assignment_pairs_them(n, m, density, rnd):
    # Sparse candidates (most rows with one candidate or none, some with two), ties included: the
    # pairs taken without solving must be the solved assignment's pairs.
    scores = [0.61, 0.75, 0.9, 1.0]
    sub = np.array([[rnd.choice(scores) if rnd.random() < density else rnd.choice([0.0, 0.59])
                     for _ in range(m)] for _ in range(n)])
    old_ids = sorted(rnd.sample(range(20), n))
    new_ids = sorted(rnd.sample(range(20), m))
    got = [(p.old, p.new) for p in match._assign(sub, old_ids, new_ids, 20, 20, THRESHOLD)]
    assert sorted(got) == sorted(_assign_by_solving(sub, old_ids, new_ids, 20, 20, THRESHOLD))
