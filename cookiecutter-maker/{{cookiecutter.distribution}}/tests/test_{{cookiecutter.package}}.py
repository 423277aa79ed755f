"""Tests of {{ cookiecutter.maker_class }}: no downloaded data, a synthetic dataset only.

Run them against the installed package (``pip install -e .[test]``), ideally with
``GAMMABIN_STRICT_PLUGINS=1`` so that a plugin that fails to load is an error."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gammabin.datasets import MapDataset
from gammabin.errors import MakerParameterError
from gammabin.makers import MAKER_REGISTRY, maker_from_dict
from gammabin.maps import MapAxis, WcsGeom

from {{ cookiecutter.package }} import {{ cookiecutter.maker_class }}

TAG = "{{ cookiecutter.tag }}"
PLUGIN = "{{ cookiecutter.plugin_name }}"


def tiny_dataset():
    """4 x 3 pixels, reco energy 0.1-100 TeV with 3 bins per decade (9 bins)."""
    energy = MapAxis.from_energy_bounds("0.1 TeV", "100 TeV", nbin=3, per_decade=True)
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=(2.0, 1.5), binsz=0.5, axes=[energy])
    return MapDataset.create(geom, name="tiny")


def test_masks_the_bins_outside_the_band():
    dataset = {{ cookiecutter.maker_class }}(energy_min="1 TeV", energy_max="10 TeV").run(tiny_dataset())
    mask = dataset.mask_safe.data
    assert mask.shape == (9, 3, 4)
    # bins [1, 2.15], [2.15, 4.64], [4.64, 10] TeV are kept in each of the 12 pixels
    assert mask.sum() == 3 * 12
    assert mask.sum(axis=(1, 2)).tolist() == [0, 0, 0, 12, 12, 12, 0, 0, 0]


def test_an_existing_safe_mask_is_kept():
    dataset = tiny_dataset()
    dataset.mask_safe.data[:] = True
    dataset.mask_safe.data[4, 0, 0] = False  # one unsafe pixel in a kept bin
    dataset = {{ cookiecutter.maker_class }}(energy_min="1 TeV", energy_max="10 TeV").run(dataset)
    assert dataset.mask_safe.data.sum() == 3 * 12 - 1


def test_a_narrower_band_in_other_units():
    maker = {{ cookiecutter.maker_class }}(energy_min="2000 GeV", energy_max="5 TeV")
    assert maker.energy_min.unit == "TeV"
    assert np.isclose(maker.energy_min.value, 2.0)
    dataset = maker.run(tiny_dataset())
    assert dataset.mask_safe.data.sum(axis=(1, 2)).tolist() == [0, 0, 0, 0, 12, 0, 0, 0, 0]


def test_registry_finds_the_maker():
    assert MAKER_REGISTRY.get_cls(TAG) is {{ cookiecutter.maker_class }}


def test_built_from_configuration():
    maker = maker_from_dict({"tag": TAG, "energy_min": "3 TeV", "energy_max": 30})
    assert isinstance(maker, {{ cookiecutter.maker_class }})
    assert maker.energy_max.to_value("TeV") == 30


def test_a_bad_parameter_names_its_field():
    with pytest.raises(MakerParameterError, match=r"{{ cookiecutter.maker_class }}\.energy_min.*TeV"):
        maker_from_dict({"tag": TAG, "energy_min": "3 deg"})


def _gammabin(*args, **env):
    environ = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "gammabin.cli", *args], capture_output=True,
                          text=True, env=environ, check=False)


def test_gammabin_plugins_lists_it_active():
    result = _gammabin("plugins", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows[PLUGIN]["status"] == "active"
    assert TAG in rows[PLUGIN]["tags"]
    assert rows[PLUGIN]["builtin"] is False


def test_strict_run_with_only_this_plugin():
    code = (
        "from gammabin.makers import MAKER_REGISTRY;"
        f"print(MAKER_REGISTRY.get_cls({TAG!r}).__module__)"
    )
    env = {**os.environ, "GAMMABIN_PLUGIN_AUTOLOAD": "0", "GAMMABIN_PLUGINS": PLUGIN,
           "GAMMABIN_STRICT_PLUGINS": "1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{{ cookiecutter.package }}.maker"
