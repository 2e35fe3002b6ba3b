"""The benchmark driver of unicat-bridge (run it with Benchmarks/run)."""
