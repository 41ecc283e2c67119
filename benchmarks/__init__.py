"""Benchmarks with a ceiling and a baseline, measured as ratios in one run (`make bench`)."""
