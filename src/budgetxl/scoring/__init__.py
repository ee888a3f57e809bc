"""Scoring self-evaluations: profiles as data (templates/profiles/), an engine that recomputes
every score with exact decimals and compares it with the typed one, never overwriting it."""

from budgetxl.scoring.engine import BudgetScore, IndicatorScore, ScoreCard, profile_for, score
from budgetxl.scoring.profiles import DEFAULT_PROFILE, Profile, available_profiles, load_profile

__all__ = ["DEFAULT_PROFILE", "BudgetScore", "IndicatorScore", "Profile", "ScoreCard", "available_profiles",
           "load_profile", "profile_for", "score"]
