"""Import cost of gammabin, measured with ``python -X importtime`` in fresh processes.

    python benchmarks/import_time.py [--repeat 5] [--gammapy /path/to/gammapy-venv/bin/python]

Prints the median cumulative import time (seconds) of each statement and, when a
gammapy interpreter is given, of ``import gammapy.makers`` for comparison.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys

STATEMENTS = {
    "import gammabin": ("import gammabin", "gammabin"),
    "from gammabin.makers import MapDatasetMaker": (
        "from gammabin.makers import MapDatasetMaker", None),
}


def import_seconds(python, statement, module=None):
    """Total wall time of ``statement`` from -X importtime (sum of top-level cumulative times)."""
    out = subprocess.run([python, "-X", "importtime", "-c", statement],
                         capture_output=True, text=True, check=True).stderr
    total = 0
    for line in out.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) == 1:  # top-level imports only
            if module is None or match.group(3) == module:
                total += int(match.group(1))
    return total / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--gammapy", help="python of a gammapy 2.1 environment")
    args = parser.parse_args()
    from run import ensure_bytecode  # benchmarks/run.py: compile as an installed package is

    ensure_bytecode(sys.executable)
    results = {}
    for label, (statement, module) in STATEMENTS.items():
        results[label] = statistics.median(
            import_seconds(sys.executable, statement, module) for _ in range(args.repeat))
    if args.gammapy:
        results["import gammapy.makers"] = statistics.median(
            import_seconds(args.gammapy, "import gammapy.makers") for _ in range(args.repeat))
    for label, seconds in results.items():
        print(f"{label:48s} {seconds:7.3f} s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
