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
import os
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


def ensure_bytecode(python):
    """Byte-compile gammabin and its plugins, as an installed package is (pip compiles at
    install time; gammapy's site-packages holds its .pyc).  The editable checkout under
    ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every module from source in
    each fresh process (~0.1–0.2 s charged to import and reduce).  Stale .pyc files are
    ignored by Python, so this never changes behaviour."""
    code = ("import compileall, importlib, pathlib\n"
            "for name in ('gammabin', 'gammabin_plugins'):\n"
            "    compileall.compile_dir(str(pathlib.Path(importlib.util.find_spec(name).origin).parent), quiet=1)")
    subprocess.run([python, "-c", "import importlib.util\n" + code], check=False, capture_output=True)


def run_once(python, package, workload, data, pythonpath=None):
    env = None
    if pythonpath:  # another gammabin tree (``--baseline``) ahead of the installed one
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([*pythonpath, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [python, str(WORKLOADS_PY), "--package", package, "--workload", workload, "--data", data],
        capture_output=True, text=True, env=env)
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
    parser.add_argument("--baseline", default=None,
                        help="an earlier gammabin checkout (e.g. `git archive HEAD~1 framework plugins | tar -x -C DIR`):"
                             " its DIR/framework and DIR/plugins run as a 'before' column")
    args = parser.parse_args()

    ensure_bytecode(sys.executable)
    # label → (python, package name, extra PYTHONPATH)
    pythons = {"gammabin": (sys.executable, "gammabin", None)}
    other = gammapy_python(args.gammapy)
    if other:
        pythons["gammapy"] = (other, "gammapy", None)
    if args.baseline:
        base = Path(args.baseline).resolve()
        pythons["before"] = (sys.executable, "gammabin", [str(base / "framework"), str(base / "plugins")])
        import compileall  # byte-compiled like the current tree

        for sub in ("framework", "plugins"):
            compileall.compile_dir(str(base / sub), quiet=1)
    results = {}
    for workload in args.workloads:
        runs = {label: [] for label in pythons}
        for _ in range(args.repeat):
            for label, (python, package, path) in pythons.items():  # alternate within each repeat
                if workload == "floor" and label != "gammabin":
                    continue
                runs[label].append(run_once(python, package, workload, args.data, path))
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
    nan = float("nan")
    print(f"{'workload':8s} {'runs':>5s} {'before s':>9s} {'gammabin s':>11s} {'gammapy s':>10s} {'ratio':>6s} "
          f"{'(before)':>8s} {'per run':>8s} {'RSS MB gb/gp':>13s} {'import gb/gp':>13s}")
    for workload, by_package in results.items():
        gb = by_package.get("gammabin", {})
        gp = by_package.get("gammapy", {})
        bf = by_package.get("before", {})
        ratio = (gp["reduce_s"] / gb["reduce_s"]) if gp.get("reduce_s") and gb.get("reduce_s") else None
        ratio_bf = (gp["reduce_s"] / bf["reduce_s"]) if gp.get("reduce_s") and bf.get("reduce_s") else None
        per_run = gb["reduce_s"] / gb["runs"] if gb.get("reduce_s") and gb.get("runs") else None
        print(f"{workload:8s} {gb.get('runs') or 0:5d} {bf.get('reduce_s') or nan:9.3f} "
              f"{gb.get('reduce_s') or nan:11.3f} {gp.get('reduce_s') or nan:10.3f} {ratio or nan:6.1f} "
              f"{ratio_bf or nan:8.1f} {per_run or nan:8.3f} "
              f"{gb.get('peak_rss_mb') or nan:6.0f}/{gp.get('peak_rss_mb') or nan:<6.0f} "
              f"{gb.get('import_s') or nan:6.2f}/{gp.get('import_s') or nan:<6.2f}")
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
