"""``__str__`` layout and ``info_dict`` (spec §1.6), against the gammapy-written V1 stack."""
import json

import numpy as np
import pytest

from gammabin.datasets import MapDataset


@pytest.fixture(scope="module")
def v1_stacked(reference_dir):
    return MapDataset.read(reference_dir / "V1" / "stacked.fits.gz")


def test_str_exact_text(v1_stacked):
    expected = (
        "MapDataset\n----------\n\n"
        "  Name                            : stacked \n\n"
        "  Total counts                    : 7972 \n"
        "  Total background counts         : 7668.77\n"
        "  Total excess counts             : 303.23\n\n"
        "  Predicted counts                : 7668.77\n"
        "  Predicted background counts     : 7668.77\n"
        "  Predicted excess counts         : nan\n\n"
        "  Exposure min                    : 1.04e+06 m2 s\n"
        "  Exposure max                    : 3.22e+09 m2 s\n\n"
        "  Number of total bins            : 687500 \n"
        "  Number of fit bins              : 687214 \n\n"
        "  Fit statistic type              : cash\n"
        "  Fit statistic value (-2 log(L)) : nan\n\n"
        "  Number of models                : 0 \n"
        "  Number of parameters            : 0\n"
        "  Number of free parameters       : 0\n\n"
    )
    assert str(v1_stacked) == expected


def test_info_dict_matches_gammapy(v1_stacked, reference_dir):
    expected = json.loads((reference_dir / "V1" / "summary.json").read_text())["outputs"]["stacked"]["info_dict"]
    info = v1_stacked.info_dict()
    for key, value in expected.items():
        got = info[key]
        got = getattr(got, "value", got)
        if value == "nan":
            assert np.isnan(got), key
        elif isinstance(value, str):
            assert got == value, key
        else:
            assert np.isclose(got, value, rtol=1e-12, atol=0), (key, got, value)
