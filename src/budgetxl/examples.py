"""Where the bundled example lives (the seed table, transcribed)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_INPUT = ROOT / "inputs" / "fengyang-2023.yaml"
EXAMPLE_OUTPUT = Path("outputs") / "fengyang-2023.xlsx"
