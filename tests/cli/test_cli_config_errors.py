"""Bad configs fail with one line naming the file, the key path and what was expected."""
import copy

import pytest
import yaml

from gammabin.cli import main
from gammabin.config import ConfigError, build_reduction, config_from_dict, load_config
from gammabin.cli.demo import DEMO_SPECTRUM_CONFIG


@pytest.fixture
def store(tmp_path_factory):
    from gammabin.simulate import crab_like_scene, simulate_scene

    path = tmp_path_factory.getbasetemp() / "errors-store"
    if not (path / "hdu-index.fits.gz").exists():
        simulate_scene(path, crab_like_scene(n_runs=2, livetime=60.0), seed=1)
    return path


def _config(store, **changes):
    raw = copy.deepcopy(DEMO_SPECTRUM_CONFIG)
    raw["observations"]["datastore"] = str(store)
    for dotted, value in changes.items():
        node = raw
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return raw


def _error(raw):
    with pytest.raises(ConfigError) as info:
        build_reduction(config_from_dict(raw, source="cfg.yaml"), "cfg.yaml")
    text = str(info.value)
    assert "\n" not in text
    return text


def test_unknown_key_names_its_path_and_the_valid_keys(store):
    text = _error(_config(store, **{"dataset.energy.nbin": 3}))
    assert text.startswith("cfg.yaml: dataset.energy: unknown key(s) nbin; expected one of")
    assert "'nbins'" in text


def test_unknown_top_level_section(store):
    assert _error(_config(store, datasets_extra=1)).startswith("cfg.yaml: (top level): unknown key(s) datasets_extra")


@pytest.mark.parametrize("key, value, expected", [
    ("dataset.energy.nbins", "ten", "dataset.energy.nbins: expected an integer, got 'ten'"),
    ("dataset.energy.min", "1 deg", "dataset.energy.min: expected an energy such as '1 TeV', got '1 deg'"),
    ("dataset.on_region.radius", "wide", "dataset.on_region.radius: expected an angle such as '0.5 deg', got 'wide'"),
    ("stack", "yes", "stack: expected a boolean (true/false), got 'yes'"),
    ("background.method", "magic", "background.method: expected one of ['none', 'fov'"),
    ("dataset.type", "cube", "dataset.type: expected one of ['map', 'spectrum'], got 'cube'"),
])
def test_wrong_type_names_key_and_expectation(store, key, value, expected):
    assert expected in _error(_config(store, **{key: value}))


def test_missing_data_store(tmp_path):
    text = _error(_config(tmp_path / "nowhere"))
    assert text.startswith("cfg.yaml: observations.datastore: expected a data store folder")


def test_empty_selection(store):
    text = _error(_config(store, **{"observations.target": "Vela"}))
    assert text.startswith("cfg.yaml: observations: the selection (target) is empty")
    text = _error(_config(store, **{"observations.obs_cone": {"lon": "10 deg", "lat": "-40 deg", "radius": "1 deg"}}))
    assert "the selection (obs_cone) is empty" in text
    assert "observations.obs_ids: expected ids of" in _error(_config(store, **{"observations.obs_ids": [99]}))


def test_missing_required_key(store):
    raw = _config(store)
    del raw["observations"]["datastore"]
    assert _error(raw) == "cfg.yaml: observations.datastore: required key missing"


def test_bad_maker_in_makers_list(store):
    raw = _config(store, makers=[{"tag": "SpectrumDatasetMaker"}, {"tag": "SafeMaskMaker", "methodz": ["aeff-max"]}])
    text = _error(raw)
    assert text.startswith("cfg.yaml: makers[1]: SafeMaskMaker: unknown parameter(s) methodz")
    assert "UnknownMaker" in _error(_config(store, makers=[{"tag": "UnknownMaker"}]))


def test_makers_list_builds_registered_makers(store):
    raw = _config(store, makers=[{"tag": "SpectrumDatasetMaker", "selection": ["counts", "exposure", "edisp"]},
                                 {"tag": "ReflectedRegionsBackgroundMaker",
                                  "region_finder": {"tag": "WobbleRegionsFinder", "n_off_regions": 2}}])
    reduction = build_reduction(config_from_dict(raw), "cfg")
    assert [type(m).__name__ for m in reduction.makers] == ["SpectrumDatasetMaker", "ReflectedRegionsBackgroundMaker"]
    assert reduction.makers[1].region_finder.n_off_regions == 2
    assert reduction.makers[1].exclusion_mask is not None  # the exclusion section reaches list makers too


def test_gammapy_config_errors_use_gammapy_key_paths(tmp_path):
    path = tmp_path / "analysis.yaml"
    path.write_text(yaml.safe_dump({"observations": {"datastore": "x"},
                                    "datasets": {"type": "3d", "geom": {"wcs": {"binsize": "big"}}}}))
    with pytest.raises(ConfigError, match=r"analysis.yaml: datasets.geom.wcs.binsize: expected an angle"):
        load_config(path)
    path.write_text(yaml.safe_dump({"datasets": {"background": {"methd": "ring"}}}))
    with pytest.raises(ConfigError, match=r"datasets.background: unknown key\(s\) methd"):
        load_config(path)


def test_cli_prints_one_line_and_exits_2(store, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_config(store, **{"dataset.energy.nbins": -1})))
    assert main(["reduce", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"gammabin reduce: error: {path}: dataset.energy.nbins:")


def test_non_empty_output_folder_needs_overwrite(store, tmp_path, capsys):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(_config(store, **{"output.overwrite": False})))
    out = tmp_path / "out"
    out.mkdir()
    (out / "something").write_text("x")
    assert main(["reduce", str(path), "--out", str(out), "--quiet"]) == 2
    assert "output.dir:" in capsys.readouterr().err
    assert main(["reduce", str(path), "--out", str(out), "--quiet", "--overwrite"]) == 0
    assert (out / "stacked.fits").is_file() and (out / "summary.json").is_file()
