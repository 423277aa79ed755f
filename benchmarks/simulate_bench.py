"""Time to simulate N runs × ~10⁴ events (Crab-like scene, built-in instrument,
shared IRF file) into a temporary folder.

    .venv/bin/python benchmarks/simulate_bench.py [n_runs] [events_per_run]
"""
import sys
import tempfile
import time

from gammabin.simulate import simulate_runs


def main(n_runs=1000, events_per_run=10_000):
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = simulate_runs(tmp, n_runs, events_per_run=events_per_run, seed=1)
        elapsed = time.perf_counter() - t0
        n_events = int(store.obs_table["EVENT_COUNT"].sum())
    print(f"{n_runs} runs, {n_events} events ({n_events / n_runs:.0f}/run): {elapsed:.1f} s "
          f"({1e3 * elapsed / n_runs:.1f} ms/run)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
