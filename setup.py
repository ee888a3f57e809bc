"""The package list, which pyproject.toml cannot say: every package under src/ (found, so a new
one needs no listing) plus the two data folders of the checkout that ship inside the package,
templates/ → budgetxl/templates and inputs/ → budgetxl/inputs (see package-dir in pyproject.toml).
Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

DATA_PACKAGES = ["budgetxl.templates", "budgetxl.inputs"]

setup(packages=[*find_packages("src"), *DATA_PACKAGES])
