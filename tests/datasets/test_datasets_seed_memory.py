"""Seed examples 1 and 2 (spec §5): an empty dataset on the default all-sky 0.5° geometry
must print gammapy's numbers while staying far below 1 GB (lazy IRF maps)."""
import subprocess
import sys
import textwrap

import pytest

SCRIPT = """
import resource
from gammabin.maps import MapAxis, WcsGeom
from gammabin.datasets import MapDataset

energy_axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
geom = WcsGeom.create(axes=[energy_axis])
{true_axis}
dataset_empty = MapDataset.create(geom=geom{extra})
print(dataset_empty)
print("PSF_SHAPE", dataset_empty.psf.psf_map.geom.data_shape)
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

TRUE_AXIS = 'energy_axis_true = MapAxis.from_bounds(0.3, 10, nbin=31, name="energy", unit="TeV", interp="log")'

EXPECTED = [
    "MapDataset",
    "----------",
    "  Total counts                    : 0 ",
    "  Total background counts         : 0.00",
    "  Total excess counts             : 0.00",
    "  Predicted counts                : 0.00",
    "  Predicted background counts     : 0.00",
    "  Predicted excess counts         : nan",
    "  Exposure min                    : 0.00e+00 m2 s",
    "  Exposure max                    : 0.00e+00 m2 s",
    "  Number of total bins            : 2851200 ",
    "  Number of fit bins              : 0 ",
    "  Fit statistic type              : cash",
    "  Fit statistic value (-2 log(L)) : nan",
    "  Number of models                : 0 ",
    "  Number of parameters            : 0",
    "  Number of free parameters       : 0",
]


@pytest.mark.parametrize(
    "true_axis, extra, psf_shape",
    [("", "", (11, 66, 900, 1800)), (TRUE_AXIS, ", energy_axis_true=energy_axis_true", (31, 66, 900, 1800))],
    ids=["seed1", "seed2"],
)
def test_seed_empty_allsky_dataset(true_axis, extra, psf_shape):
    code = textwrap.dedent(SCRIPT.format(true_axis=true_axis, extra=extra))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for line in EXPECTED:
        assert line in lines, f"missing line {line!r} in\n{out.stdout}"
    name_line = [line for line in lines if line.startswith("  Name")][0]
    assert len(name_line.split(": ")[1].strip()) == 8
    assert f"PSF_SHAPE {psf_shape}" in lines
    maxrss_mb = int(lines[-1].split()[1]) / 1024
    assert maxrss_mb < 1024, f"peak RSS {maxrss_mb:.0f} MB"
