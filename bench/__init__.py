"""`make bench`: cold start, warm overhead, AWS round trips, local stack throughput and layer size.

A benchmark, not a test: `python -m bench.run` (see run.py). Results go to bench/results/.
"""
