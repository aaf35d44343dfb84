"""Benchmarks (issue 9): `python -m bench.run`; see docs/benchmarks.md."""
