"""Resume: a reduction with output_dir killed with SIGKILL after its first per-run file
is written, then rerun: only the missing runs are reduced, the result equals an
uninterrupted reduction; a changed configuration never reuses the old files."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

from pipeline_helpers import CRAB_RUNS, assert_same_dataset, v1_makers, v1_reference

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {here!r})
    import gammabin
    from gammabin.plugins import register
    from gammabin.data import DataStore
    from gammabin.makers import DatasetsMaker
    from pipeline_helpers import v1_makers, v1_reference

    class Stall:
        # hold the second run after its makers ran, before its file is written
        @gammabin.hookimpl
        def gammabin_dataset_made(self, dataset, observation):
            if observation.obs_id != {first}:
                time.sleep(600)

    register(Stall(), name="stall")
    obs = DataStore.from_dir({store!r}).get_observations({runs!r})
    DatasetsMaker(v1_makers(), output_dir={out!r}, parallel_backend="serial").run(v1_reference(), obs)
""")


def _files(out):
    return sorted(p.name for p in out.glob("obs_*.fits"))


def test_kill_and_resume(tmp_path, hess_dir, crab_obs, serial_stacked):
    from gammabin.makers import DatasetsMaker

    out = tmp_path / "runs"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(here=os.path.dirname(__file__), first=CRAB_RUNS[0], store=str(hess_dir),
                                   runs=CRAB_RUNS, out=str(out)))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (out.exists() and _files(out)) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
        assert child.poll() is None, child.stdout.read().decode()[-2000:]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    before = _files(out)
    assert len(before) == 1 and before[0].startswith(f"obs_{CRAB_RUNS[0]}_")
    mtime = (out / before[0]).stat().st_mtime_ns

    maker = DatasetsMaker(v1_makers(), output_dir=out, parallel_backend="serial")
    resumed = maker.run(v1_reference(), crab_obs)[0]
    assert maker.report.reused == CRAB_RUNS[:1]
    assert maker.report.reduced == CRAB_RUNS[1:]
    assert (out / before[0]).stat().st_mtime_ns == mtime  # not rewritten
    assert len(_files(out)) == len(CRAB_RUNS)
    assert_same_dataset(resumed, serial_stacked[0], rtol=1e-6)
    np.testing.assert_array_equal(resumed.counts.data, serial_stacked[0].counts.data)

    # a complete rerun reduces nothing and gives the same numbers
    again = DatasetsMaker(v1_makers(), output_dir=out, parallel_backend="serial")
    assert_same_dataset(again.run(v1_reference(), crab_obs)[0], resumed, rtol=0)
    assert again.report.reduced == [] and again.report.reused == CRAB_RUNS


def test_changed_configuration_does_not_reuse_files(crab_obs):
    from gammabin.makers import DatasetsMaker, SafeMaskMaker
    from gammabin.pipeline import run_reference
    from gammabin.pipeline.resume import configuration_key, run_file

    reference = v1_reference()
    ref = run_reference(crab_obs[0])
    makers = v1_makers()
    key = configuration_key(makers, reference.geoms, type(reference), 6.0, "trim")
    changed_maker = makers[:1] + [SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="2.5 deg")]
    from gammabin.datasets import MapDataset

    smaller = MapDataset.create(reference.counts.geom.cutout(reference.counts.geom.center_skydir, width="4 deg"))
    keys = {
        key,
        configuration_key(changed_maker, reference.geoms, type(reference), 6.0, "trim"),
        configuration_key(makers, reference.geoms, type(reference), 5.0, "trim"),
        configuration_key(makers, reference.geoms, type(reference), 6.0, "partial"),
        configuration_key(makers, smaller.geoms, type(reference), 6.0, "trim"),
    }
    assert len(keys) == 5
    assert key == configuration_key(v1_makers(), v1_reference().geoms, type(reference), 6.0, "trim")  # stable
    assert run_file("d", key, ref) != run_file("d", keys.difference({key}).pop(), ref)
    assert run_file("d", key, ref).name.startswith(f"obs_{ref.obs_id}_")
    assert DatasetsMaker(makers)._cutout_width(reference, None).to_value("deg") == 6.0
