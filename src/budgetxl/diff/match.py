"""Pairing the rows of two years: exact keys first, then text similarity.

Rows are tasks or indicators, seen through a `Key` (normalised group, subgroup, name and body).
The passes, each on the rows the earlier passes left unpaired:

1. exact (group, subgroup, name) — the row did not move;
2. exact (group, name) — e.g. an indicator whose 二级 was relabelled;
3. exact name anywhere — a row moved to another 一级 or task group;
4. text similarity within each group, with an optimal one-to-one assignment over the block;
5. text similarity across groups, the same way.

Similarity (0..1) compares names with bracketed qualifiers taken out ("城镇新增就业人数（万人）"
and "城镇新增就业人数（人）" share their core), plus a little of the whole name; the body (target,
content) can only lift a borderline pair, never sink one. A pair is kept when its similarity
reaches the threshold. The assignment maximises the summed margin above the threshold, so two
weak pairs never outweigh one strong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Callable, Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from budgetxl.text import normalize_label

THRESHOLD = 0.6
"""Least similarity for two rows of different names to count as the same row, changed."""

CORE_WEIGHT = 0.9
"""Share of the similarity taken from the names without bracketed qualifiers."""

_BRACKETS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_POSITION_EPS = 1e-6  # among equally good pairings, keep rows near their old position


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """The form two texts are compared in: NFKC, no spaces or line breaks (cached: the same
    labels recur in every row and every year)."""
    return normalize_label(text)


@lru_cache(maxsize=16384)
def core_name(normalized: str) -> str:
    """A normalised name without its bracketed qualifiers: '扶持创业企业(项目)数' → '扶持创业企业数'."""
    out = normalized
    while True:
        stripped = _BRACKETS_RE.sub("", out)
        if stripped == out:
            break
        out = stripped
    return out or normalized


@dataclass(frozen=True)
class Key:
    """What the matcher sees of one row, already normalised (see `make_key`)."""

    group: str
    subgroup: str
    name: str
    body: str = ""


def make_key(group: str, subgroup: str, name: str, body: str = "") -> Key:
    return Key(normalize(group), normalize(subgroup), normalize(name), normalize(body))


@dataclass(frozen=True)
class Pair:
    old: int
    new: int
    similarity: float | None  # None when paired by an exact key


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]  # ordered by new index
    removed: tuple[int, ...]  # old indices left unpaired
    added: tuple[int, ...]  # new indices left unpaired


def similarity_matrix(old: Sequence[Key], new: Sequence[Key], body_weight: float = 0.2) -> np.ndarray:
    """Similarity 0..1 of every old row (rows) to every new row (columns). Each cell depends on
    its two rows alone, so a block of rows gets the same values as the whole would."""
    if not old or not new:
        return np.zeros((len(old), len(new)), dtype=np.float64)
    names_old, names_new = [k.name for k in old], [k.name for k in new]
    cores_old, cores_new = [core_name(n) for n in names_old], [core_name(n) for n in names_new]
    core = process.cdist(cores_old, cores_new, scorer=fuzz.ratio, dtype=np.float32)
    return _dense(old, new, body_weight, core, names_old, names_new, cores_old, cores_new)


def _dense(old: Sequence[Key], new: Sequence[Key], body_weight: float, core: np.ndarray, names_old: list[str],
           names_new: list[str], cores_old: list[str], cores_new: list[str]) -> np.ndarray:
    """similarity_matrix from the core names' scores already taken."""
    if cores_old == names_old and cores_new == names_new:  # no qualifiers: the names are their cores
        full = core
    else:
        full = process.cdist(names_old, names_new, scorer=fuzz.ratio, dtype=np.float32)
    body = known = None
    if body_weight > 0:
        body = process.cdist([k.body for k in old], [k.body for k in new], scorer=fuzz.ratio, dtype=np.float32)
        known = np.outer([bool(k.body) for k in old], [bool(k.body) for k in new])
    return _blend(core, full, body, known, body_weight).astype(np.float64)


def _blend(core: np.ndarray, full: np.ndarray, body: np.ndarray | None, known: np.ndarray | None,
           body_weight: float) -> np.ndarray:
    """The similarity from the scores (0..100) of the core names, the whole names and the bodies,
    cell by cell (any shape)."""
    name = (CORE_WEIGHT * core + (1 - CORE_WEIGHT) * full) / 100.0
    if body is not None and known is not None:
        blended = (1 - body_weight) * name + body_weight * (body / 100.0)
        # An empty body says nothing (two empty targets are not "alike").
        name = np.where(known, np.maximum(name, blended), name)
    return name


_SPARSE_SHARE = 20  # score pair by pair when at most one cell in this many may reach the threshold


def _pairing_similarity(old: Sequence[Key], new: Sequence[Key], body_weight: float, threshold: float) -> np.ndarray:
    """similarity_matrix's value in every cell that can reach `threshold`, and 0 in the others
    (theirs is below it too, so the pairing is the same). A cell can reach it only when its core
    names are alike enough: the whole names (at most 10 %) and the body (at most `body_weight`)
    cannot lift it further. Usually few cells are, and only they are scored in full."""
    if not old or not new:
        return np.zeros((len(old), len(new)), dtype=np.float64)
    names_old, names_new = [k.name for k in old], [k.name for k in new]
    cores_old, cores_new = [core_name(n) for n in names_old], [core_name(n) for n in names_new]
    core = process.cdist(cores_old, cores_new, scorer=fuzz.ratio, dtype=np.float32)
    if body_weight <= 0:
        least = threshold
    elif body_weight < 1:
        least = min(threshold, (threshold - body_weight) / (1 - body_weight))  # the least name similarity
    else:
        least = 0.0
    # The least core score, one point lower: far more than any rounding.
    cut = (100 * least - 100 * (1 - CORE_WEIGHT)) / CORE_WEIGHT - 1
    rows, cols = np.nonzero(core >= cut)
    if cut <= 0 or len(rows) * _SPARSE_SHARE > core.size:
        return _dense(old, new, body_weight, core, names_old, names_new, cores_old, cores_new)
    r_list, c_list = rows.tolist(), cols.tolist()
    if cores_old == names_old and cores_new == names_new:
        full = core[rows, cols]
    else:
        full = np.array([fuzz.ratio(names_old[r], names_new[c]) for r, c in zip(r_list, c_list)], dtype=np.float32)
    body = known = None
    if body_weight > 0:
        body = np.array([fuzz.ratio(old[r].body, new[c].body) for r, c in zip(r_list, c_list)], dtype=np.float32)
        known = np.array([bool(k.body) for k in old])[rows] & np.array([bool(k.body) for k in new])[cols]
    sim = np.zeros(core.shape, dtype=np.float64)
    sim[rows, cols] = _blend(core[rows, cols], full, body, known, body_weight)
    return sim


def _exact(old_ids: list[int], new_ids: list[int], old: Sequence[Key], new: Sequence[Key],
           key_of: Callable[[Key], object]) -> list[Pair]:
    """Pair rows of equal keys; repeated keys pair in order of appearance."""
    waiting: dict[object, list[int]] = {}
    for j in new_ids:
        if new[j].name:  # never pair on an empty name
            waiting.setdefault(key_of(new[j]), []).append(j)
    pairs = []
    for i in old_ids:
        queue = waiting.get(key_of(old[i]))
        if queue:
            pairs.append(Pair(i, queue.pop(0), None))
    return pairs


def _assign(
    sub: np.ndarray, old_ids: list[int], new_ids: list[int], n_old: int, n_new: int, threshold: float
) -> list[Pair]:
    """Optimal one-to-one pairing of `old_ids` × `new_ids` on their similarity block `sub`."""
    if not old_ids or not new_ids:
        return []
    candidate = sub >= threshold
    if not candidate.any():
        return []
    # A row and a column that are each other's only candidate are paired in every optimal
    # assignment: their margin (at least 10 × _POSITION_EPS) outweighs any change in the position
    # terms (at most 2 × _POSITION_EPS). When such pairs are all the candidates there are, they
    # are the assignment's answer, found without solving it.
    per_row, per_col = candidate.sum(axis=1), candidate.sum(axis=0)
    only = candidate & (per_row == 1)[:, None] & (per_col == 1)[None, :]
    if only.sum() == candidate.sum():
        rows, cols = np.nonzero(only)
        return _pairs(sub, old_ids, new_ids, rows, cols)
    margin = np.where(candidate, sub - threshold + _POSITION_EPS * 10, 0.0)
    pos_old = np.asarray(old_ids, dtype=np.float64)[:, None] / max(n_old, 1)
    pos_new = np.asarray(new_ids, dtype=np.float64)[None, :] / max(n_new, 1)
    cost = -margin + _POSITION_EPS * np.abs(pos_old - pos_new)
    from scipy.optimize import linear_sum_assignment  # imported on first use: it takes a second

    rows, cols = linear_sum_assignment(cost)
    kept = sub[rows, cols] >= threshold
    return _pairs(sub, old_ids, new_ids, rows[kept], cols[kept])


def _pairs(sub: np.ndarray, old_ids: list[int], new_ids: list[int], rows: np.ndarray, cols: np.ndarray) -> list[Pair]:
    """Pairs of the cells (rows[k], cols[k]) of a block, with their similarity to 4 decimals."""
    similarities = sub[rows, cols].tolist()
    return [Pair(old_ids[r], new_ids[c], round(v, 4)) for r, c, v in zip(rows.tolist(), cols.tolist(), similarities)]


def _groups(ids: Iterable[int], keys: Sequence[Key]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i in ids:
        out.setdefault(keys[i].group, []).append(i)
    return out


def match_rows(
    old: Sequence[Key], new: Sequence[Key], *, threshold: float = THRESHOLD, body_weight: float = 0.2
) -> Matching:
    """Pair old rows with new rows one to one (see the module text for the passes)."""
    pairs: list[Pair] = []
    old_left = list(range(len(old)))
    new_left = list(range(len(new)))

    def take(found: list[Pair]) -> None:
        nonlocal old_left, new_left
        if not found:
            return
        pairs.extend(found)
        used_old = {p.old for p in found}
        used_new = {p.new for p in found}
        old_left = [i for i in old_left if i not in used_old]
        new_left = [j for j in new_left if j not in used_new]

    take(_exact(old_left, new_left, old, new, attrgetter("group", "subgroup", "name")))
    # The other exact passes pair equal names only: none when no name is left on both sides.
    names_new = {new[j].name for j in new_left}
    if any(old[i].name in names_new for i in old_left):
        take(_exact(old_left, new_left, old, new, attrgetter("group", "name")))
        take(_exact(old_left, new_left, old, new, attrgetter("name")))

    if old_left and new_left:
        # Similarities are computed block by block: each group's rows against the same group's,
        # then what is still unpaired across groups (never the whole old × new matrix).
        new_groups = _groups(new_left, new)
        within: list[Pair] = []
        for group, old_ids in _groups(old_left, old).items():
            new_ids = new_groups.get(group, [])
            if new_ids:
                sim = _pairing_similarity([old[i] for i in old_ids], [new[j] for j in new_ids], body_weight, threshold)
                within += _assign(sim, old_ids, new_ids, len(old), len(new), threshold)
        take(within)
        if old_left and new_left:
            sim = _pairing_similarity([old[i] for i in old_left], [new[j] for j in new_left], body_weight, threshold)
            take(_assign(sim, old_left, new_left, len(old), len(new), threshold))

    pairs.sort(key=lambda p: p.new)
    return Matching(tuple(pairs), tuple(sorted(old_left)), tuple(sorted(new_left)))
