"""Where the bundled example lives (the seed table, transcribed): the checkout's inputs/ or the
copy installed with the package (budgetxl.resources has the rule)."""

from pathlib import Path

from budgetxl.resources import example_input

EXAMPLE_INPUT = example_input()
EXAMPLE_OUTPUT = Path("outputs") / "fengyang-2023.xlsx"
