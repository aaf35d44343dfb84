"""Where the tests' files are: the project, the test fixtures and schemas, and ../shared."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TESTS = PROJECT_ROOT / "tests"
FIXTURES = TESTS / "fixtures"
SCHEMAS = TESTS / "schemas"  # vendored: see schemas/LICENSE-NOTES.md
SHARED = PROJECT_ROOT.parent / "shared"
