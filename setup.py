"""The package list: found under barkflow/ (a new subpackage ships without an edit), plus barkflow.conf,
mapped from conf/ in pyproject.toml, which discovery cannot see there. Everything else is in
pyproject.toml; pyproject's packages.find cannot add a mapped package to what it finds."""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["barkflow", "barkflow.*"]) + ["barkflow.conf"])
