"""Benchmark runner: each workload with gammabin and, when a gammapy 2.1 environment is
available, with gammapy in the same run — alternating, median of ``--repeat`` fresh
processes — then a table of seconds, ratios and peak RSS, also written as JSON.

    python benchmarks/run.py                           # all workloads, gammabin only
    python benchmarks/run.py --gammapy auto            # + gammapy (creates benchmarks/.gammapy-venv)
    python benchmarks/run.py --gammapy /path/to/python --workloads a b floor --repeat 5

``--gammapy auto`` builds a separate virtual environment with ``gammapy==2.1 regions==0.10``
(never installed into gammabin's own environment).
"""
import argparse
import json
import statistics
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS_PY = HERE / "workloads.py"
DEFAULT_WORKLOADS = ["floor", "a", "b", "c", "d", "e"]


def gammapy_python(spec):
    if spec in (None, "", "none"):
        return None
    if spec != "auto":
        return spec
    env_dir = HERE / ".gammapy-venv"
    python = env_dir / "bin" / "python"
    if not python.exists():
        venv.create(env_dir, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "gammapy==2.1", "regions==0.10"],
                       check=True)
    return str(python)


def run_once(python, package, workload, data):
    result = subprocess.run(
        [python, str(WORKLOADS_PY), "--package", package, "--workload", workload, "--data", data],
        capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr else "failed"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def median_of(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(HERE.parent.parent / "shared" / "data"))
    parser.add_argument("--workloads", nargs="+", default=DEFAULT_WORKLOADS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gammapy", default=None, help="python of a gammapy 2.1 env, or 'auto'")
    parser.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    args = parser.parse_args()

    pythons = {"gammabin": sys.executable}
    other = gammapy_python(args.gammapy)
    if other:
        pythons["gammapy"] = other
    results = {}
    for workload in args.workloads:
        runs = {package: [] for package in pythons}
        for _ in range(args.repeat):
            for package, python in pythons.items():  # alternate packages within each repeat
                if workload == "floor" and package != "gammabin":
                    continue
                runs[package].append(run_once(python, package, workload, args.data))
        results[workload] = {
            package: {
                "reduce_s": median_of(r, "reduce_s"),
                "import_s": median_of(r, "import_s"),
                "peak_rss_mb": median_of(r, "peak_rss_mb"),
                "runs": r[-1].get("runs") if r else None,
                "error": next((x["error"] for x in r if "error" in x), None),
                "last": r[-1] if r else None,
            }
            for package, r in runs.items() if r
        }
    floor = results.get("floor", {}).get("gammabin", {}).get("reduce_s")
    print(f"{'workload':8s} {'runs':>5s} {'gammabin s':>11s} {'gammapy s':>10s} {'ratio':>7s} "
          f"{'per run':>8s} {'RSS MB (gb/gp)':>16s}")
    for workload, by_package in results.items():
        gb = by_package.get("gammabin", {})
        gp = by_package.get("gammapy", {})
        ratio = (gp["reduce_s"] / gb["reduce_s"]) if gp.get("reduce_s") and gb.get("reduce_s") else None
        per_run = gb["reduce_s"] / gb["runs"] if gb.get("reduce_s") and gb.get("runs") else None
        print(f"{workload:8s} {gb.get('runs') or 0:5d} {gb.get('reduce_s') or float('nan'):11.3f} "
              f"{gp.get('reduce_s') or float('nan'):10.3f} {ratio or float('nan'):7.1f} "
              f"{per_run or float('nan'):8.3f} "
              f"{gb.get('peak_rss_mb') or float('nan'):7.0f}/{gp.get('peak_rss_mb') or float('nan'):<7.0f}")
        for package, r in by_package.items():
            if r.get("error"):
                print(f"    {package} error: {r['error']}")
    if floor and "a" in results and results["a"].get("gammabin", {}).get("reduce_s"):
        print(f"seed chain (a) / read+histogram floor = {results['a']['gammabin']['reduce_s'] / floor:.2f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
