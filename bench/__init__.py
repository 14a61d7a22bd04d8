"""Benchmark flows over ../shared/benchmarks, run beside the reference tools."""
