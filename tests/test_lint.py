"""CI keeps the code clean: `ruff check`, `ruff format --check` and
`mypy --strict bot storage handlers app.py`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def ruff_command() -> list[str] | None:
    try:
        import ruff  # noqa: F401
    except ImportError:
        exe = shutil.which("ruff")
        return [exe] if exe else None
    return [sys.executable, "-m", "ruff"]


def test_ruff_check_is_clean() -> None:
    command = ruff_command()
    if command is None:
        pytest.skip('ruff is not installed (pip install -e ".[test]" brings it)')
    result = subprocess.run(
        [*command, "check", "--no-cache", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    command = ruff_command()
    if command is None:
        pytest.skip('ruff is not installed (pip install -e ".[test]" brings it)')
    result = subprocess.run(
        [*command, "format", "--check", "--no-cache", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_over_the_code() -> None:
    """`mypy --strict bot storage handlers app.py`: every module of the app is fully typed."""
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "bot", "storage", "handlers", "app.py"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
