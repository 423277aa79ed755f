"""Dask scaling of DatasetsMaker: a Galactic-plane strip reduced from the 40 H.E.S.S.
DL3 DR1 runs that point into it (MSH 15-52, RX J1713.7-3946, G346.x, GX 339-4, Kepler
SNR), stacked into one map — the shape of a survey reduction, at 1/250 of its size.

    python benchmarks/dask_scaling.py                 # 2 workers vs 1 worker + serial check
    python benchmarks/dask_scaling.py --binsz 0.02 --no-serial --json out.json

Reports: wall time with 1 and 2 Dask workers (one LocalCluster each, every worker
warmed up on other runs so imports and first-call caches are not timed; trials
alternate between the two, median of ``--trials``), speed-up, per-run cost,
bytes pickled per task (the RunTask) and once per worker (the shared context), peak
RSS per worker, the largest relative difference to the serial loop, and the cost of
one stack / one pairwise combine by map size (inputs of docs/scaling.md).
Run it on a quiet machine (check ``uptime``): both configurations share the CPUs.
"""
import argparse
import json
import logging
import os
import pickle
import resource
import sys
import time
import warnings

import numpy as np

DATA = os.environ.get("GAMMABIN_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
STRIP = dict(l_center=342.0, l_width=50.0, b_width=18.0)  # l 317° … 7°, |b| ≤ 9°
WARMUP_RUNS = [23523, 23592]  # Crab: never part of the timed set


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def strip_runs(store):
    table = store.obs_table
    lon = (np.asarray(table["GLON_PNT"], float) - STRIP["l_center"] + 180.0) % 360.0 - 180.0
    lat = np.asarray(table["GLAT_PNT"], float)
    inside = (np.abs(lon) < STRIP["l_width"] / 2 - 1.0) & (np.abs(lat) < STRIP["b_width"] / 2 - 1.0)
    return [int(o) for o in np.asarray(table["OBS_ID"])[inside]]


def reference(binsz, width=None, skydir=None, frame="galactic"):
    from gammabin.datasets import MapDataset
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    width = width or (STRIP["l_width"], STRIP["b_width"])
    skydir = skydir or (STRIP["l_center"], 0.0)
    geom = WcsGeom.create(skydir=skydir, width=width, binsz=binsz, frame=frame, axes=[axis])
    return MapDataset.create(geom, name="survey")


def makers():
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker

    return [MapDatasetMaker(), SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="2.5 deg")]


def _warm_worker(data):
    """Imports and first-call caches of one worker (a run reduced in the worker itself)."""
    from gammabin.data import DataStore
    from gammabin.makers import DatasetsMaker

    store = DataStore.from_dir(os.path.join(data, "hess-dl3-dr1"))
    ref = reference(0.04, width=(4, 4), skydir=(184.56, -5.78))
    DatasetsMaker(makers(), parallel_backend="serial").run(ref, store.get_observations(WARMUP_RUNS[:1]))


def warm_cluster(n_workers, store):
    """A LocalCluster of single-threaded worker processes, every worker warmed up."""
    from distributed import Client, LocalCluster

    from gammabin.makers import DatasetsMaker

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = Client(cluster)
    warm = DatasetsMaker(makers(), parallel_backend="dask", scheduler=client)
    warm.run(reference(0.04, width=(4, 4), skydir=(184.56, -5.78)), store.get_observations(WARMUP_RUNS))
    client.run(_warm_worker, DATA)  # every worker, not only the one that got the task above
    return client, cluster


def timed_dask(client, store, runs, binsz):
    """One timed reduction on a warm cluster: seconds, result, maker, task-stream stats."""
    from distributed import get_task_stream

    from gammabin.makers import DatasetsMaker

    maker = DatasetsMaker(makers(), parallel_backend="dask", scheduler=client)
    ref = reference(binsz)
    observations = store.get_observations(runs)
    workers_cpu = client.run(_cpu_seconds)
    parent_cpu = _cpu_seconds()
    with get_task_stream(client) as stream:
        start = time.perf_counter()
        maker.run(ref, observations)
        seconds = time.perf_counter() - start
    stats = _stream_stats(stream.data)
    stats["parent_cpu_s"] = _cpu_seconds() - parent_cpu  # client + LocalCluster scheduler
    after = client.run(_cpu_seconds)
    stats["worker_cpu_s"] = sorted(after[w] - workers_cpu[w] for w in after)
    return seconds, ref, maker, stats


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stream_stats(records):
    """Seconds of compute per task kind and per worker, and of transfers (task stream)."""
    stats = {"runs_compute_s": 0.0, "stack_compute_s": 0.0, "transfer_s": 0.0, "busy_s_per_worker": {}}
    for rec in records:
        kind = "stack" if "-stack-" in str(rec["key"]) else "runs"
        for ss in rec["startstops"]:
            dt = ss["stop"] - ss["start"]
            if ss["action"] == "compute":
                stats[f"{kind}_compute_s"] += dt
                busy = stats["busy_s_per_worker"]
                busy[rec["worker"]] = busy.get(rec["worker"], 0.0) + dt
            elif ss["action"] == "transfer":
                stats["transfer_s"] += dt
    stats["busy_s_per_worker"] = sorted(stats["busy_s_per_worker"].values())
    return stats


def payload(store, runs, binsz):
    from gammabin.makers import DatasetsMaker
    from gammabin.pipeline.resume import configuration_key
    from gammabin.pipeline.run_task import ReductionContext

    ref = reference(binsz)
    dm = DatasetsMaker(makers())
    tasks = dm._tasks(store.get_observations(runs), None, in_process=False)
    width = dm._cutout_width(ref, None)
    context = ReductionContext(makers=tuple(dm.makers), geoms=ref.geoms, dataset_class=type(ref), cutout_width=width,
                               config_key=configuration_key(dm.makers, ref.geoms, type(ref), width, "trim"))
    sizes = [len(pickle.dumps(task)) for task in tasks]
    return {"task_bytes_max": max(sizes), "task_bytes_mean": float(np.mean(sizes)),
            "context_bytes_once_per_worker": len(pickle.dumps(context))}


def max_rel_diff(a, b):
    out = {}
    pairs = {"counts": (a.counts.data, b.counts.data), "exposure": (a.exposure.data, b.exposure.data),
             "background": (a.background.data, b.background.data), "psf": (a.psf.psf_map.data, b.psf.psf_map.data),
             "edisp": (a.edisp.edisp_map.data, b.edisp.edisp_map.data)}
    for name, (x, y) in pairs.items():
        x, y = np.asarray(x, float), np.asarray(y, float)
        nz = x != 0
        out[name] = float(np.max(np.abs(x - y)[nz] / np.abs(x[nz]))) if nz.any() else 0.0
        if not np.array_equal(x == 0, y == 0):
            out[name + "_zero_pattern_differs"] = True
    return out


def stacking_costs(store):
    """One per-run dataset stacked into references of growing size, and one pairwise
    combine of two full-size partial sums (the top of the tree)."""
    from gammabin.makers import DatasetsMaker
    from gammabin.pipeline import Partial, combine_partials
    from gammabin.pipeline.run_task import ReductionContext

    obs = store.get_observations([WARMUP_RUNS[0]])
    rows = []
    for width in [(5, 5), (20, 10), (48, 16)]:
        ref = reference(0.02, width=width, skydir=(184.56, -5.78))
        per_run = DatasetsMaker(makers(), stack_datasets=False).run(ref, obs)[0]  # aligned cutout
        t0 = time.perf_counter()
        ref.stack(per_run)
        t_stack = time.perf_counter() - t0
        context = ReductionContext(makers=(), geoms=ref.geoms, dataset_class=type(ref))
        left = Partial(pieces=[(ref, True)], obs_ids=[1])
        right = Partial(pieces=[(ref.copy(name="right"), True)], obs_ids=[2])
        t0 = time.perf_counter()
        combine_partials(left, right, context)
        t_combine = time.perf_counter() - t0
        nbytes = sum(np.asarray(m).nbytes for m in (ref.counts.data, ref.exposure.data, ref.background.data,
                                                   ref.mask_safe.data, ref.psf.psf_map.data, ref.edisp.edisp_map.data,
                                                   ref.psf.exposure_map.data, ref.edisp.exposure_map.data))
        rows.append({"width_deg": list(width), "npix": [int(n) for n in np.ravel(ref.counts.geom.npix)],
                     "dataset_mb": nbytes / 2**20, "stack_one_run_s": t_stack, "combine_full_s": t_combine})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binsz", type=float, default=0.04)
    parser.add_argument("--no-serial", action="store_true")
    parser.add_argument("--no-stacking", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="use the strip's runs this many times (a denser survey: more runs per map)")
    parser.add_argument("--trials", type=int, default=3, help="timed runs per configuration (median reported)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    logging.getLogger("distributed").setLevel(logging.ERROR)  # cluster start/stop chatter
    from gammabin.data import DataStore

    print("load average:", os.getloadavg(), "cpus:", os.cpu_count())
    store = DataStore.from_dir(os.path.join(DATA, "hess-dl3-dr1"))
    runs = strip_runs(store) * args.repeat
    out = {"runs": len(runs), "repeat": args.repeat, "binsz": args.binsz, "strip": STRIP}
    out.update(payload(store, runs, args.binsz))
    print(f"{len(runs)} runs; task payload max {out['task_bytes_max']} B, context {out['context_bytes_once_per_worker']} B")

    # both clusters up and warm, then alternating trials (the machine's drift hits both)
    clusters = {n: warm_cluster(n, store) for n in (1, 2)}
    times = {1: [], 2: []}
    try:
        for _ in range(args.trials):
            for n in (1, 2):
                seconds, ref, maker, stats = timed_dask(clusters[n][0], store, runs, args.binsz)
                times[n].append(seconds)
                if n == 1:
                    ref1, st1 = ref, stats
                else:
                    ref2, m2, st2 = ref, maker, stats
                print(f"  {n} worker(s): {seconds:.2f} s")
        rss1 = sorted(clusters[1][0].run(_peak_rss_mb).values())
        rss2 = sorted(clusters[2][0].run(_peak_rss_mb).values())
    finally:
        for client, cluster in clusters.values():
            client.close()
            cluster.close()
    t1, t2 = float(np.median(times[1])), float(np.median(times[2]))
    out.update({"task_stream_1_worker": st1, "task_stream_2_workers": st2})
    print(f"task stream (last trial), 1 worker: {st1}\ntask stream (last trial), 2 workers: {st2}")
    out.update({"trials": args.trials, "dask_1_worker_s_trials": times[1], "dask_2_workers_s_trials": times[2],
                "dask_1_worker_s": t1, "dask_2_workers_s": t2, "speedup": t1 / t2,
                "per_run_s_1_worker": t1 / len(runs), "worker_peak_rss_mb_1": rss1, "worker_peak_rss_mb_2": rss2,
                "reduced": len(m2.report.reduced), "skipped": m2.report.skipped,
                "one_vs_two_workers_identical": max_rel_diff(ref1, ref2)})
    print(f"dask (median of {args.trials}) 1 worker {t1:.2f} s, 2 workers {t2:.2f} s: speed-up {t1 / t2:.2f}x; "
          f"worker peak RSS {rss2} MB; 1 vs 2 workers max rel diff {out['one_vs_two_workers_identical']}")
    if not args.no_serial:
        from gammabin.makers import DatasetsMaker

        ref = reference(args.binsz)
        start = time.perf_counter()
        DatasetsMaker(makers(), parallel_backend="serial").run(ref, store.get_observations(runs))
        out["serial_in_process_s"] = time.perf_counter() - start
        out["max_rel_diff_dask_vs_serial"] = max_rel_diff(ref, ref2)
        print(f"serial {out['serial_in_process_s']:.2f} s; dask vs serial max rel diff {out['max_rel_diff_dask_vs_serial']}")
    if not args.no_stacking:
        out["stacking"] = stacking_costs(store)
        for row in out["stacking"]:
            print(f"stacking {row['width_deg']} deg ({row['npix']} px, {row['dataset_mb']:.0f} MB): "
                  f"one run {row['stack_one_run_s']:.3f} s, full combine {row['combine_full_s']:.3f} s")
    print("load average:", os.getloadavg())
    if args.json:
        with open(args.json, "w") as stream:
            json.dump(out, stream, indent=1, default=str)
    return out


if __name__ == "__main__":
    sys.exit(main() and 0)
