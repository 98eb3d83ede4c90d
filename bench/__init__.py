"""Scale benchmark for the Competency Portal (`make bench`, or `python -m bench`).

`bench.database` finds (or safely builds) the benchmark's own database, `bench.generate` fills it
with a large trust's data in bulk, and `bench.measure` times the pages against the bare SQL that
fetches the same answer. `bench.__main__` ties them together and writes `bench/results/latest.json`.
"""
