"""Benchmarks: `make bench` runs bench.run_all (figures, not tests)."""
