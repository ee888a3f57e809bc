"""Pairing a self-evaluation's indicator rows with the approved targets' rows: by key (一级,
二级 and 三级 names normalised), else by the name only, else by the diff's similarity matching
(a name reworded between the approved table and the self-evaluation still pairs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from budgetxl.diff.match import make_key, match_rows


@dataclass(frozen=True)
class TargetPairing:
    pairs: tuple[tuple[int, int], ...]  # (result index, target index)
    dropped: tuple[int, ...]  # target rows with no result
    added: tuple[int, ...]  # result rows with no target

    def target_of(self, k: int) -> int | None:
        return next((j for i, j in self.pairs if i == k), None)


def _rows(indicators: Sequence[Any]) -> list[int]:
    return [i for i, x in enumerate(indicators) if x.name.strip() or x.target.strip()]


def pair_indicators(results: Sequence[Any], targets: Sequence[Any]) -> TargetPairing:
    """Pair result rows (anything with level1, level2, name, target) with target rows."""
    res_ids, tgt_ids = _rows(results), _rows(targets)
    keys_t = [make_key(targets[j].level1, targets[j].level2, targets[j].name, targets[j].target) for j in tgt_ids]
    keys_r = [make_key(results[i].level1, results[i].level2, results[i].name, results[i].target) for i in res_ids]
    matching = match_rows(keys_t, keys_r)
    pairs = tuple(sorted((res_ids[p.new], tgt_ids[p.old]) for p in matching.pairs))
    return TargetPairing(pairs, tuple(tgt_ids[j] for j in matching.removed), tuple(res_ids[i] for i in matching.added))


def pair_with_targets(form: Any, approved: Any) -> TargetPairing:
    return pair_indicators(form.indicators, approved.indicators)
