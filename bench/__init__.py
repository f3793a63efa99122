"""Benchmarks that print figures: quality, latency, load. Not timed assertions."""
