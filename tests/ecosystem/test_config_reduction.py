"""Makers from configuration: a reduction written as YAML reproduces gammapy 2.1's
V1 stacked dataset (shared/reference/V1, tolerances of its README); errors name the
maker, the field and what was expected; nested objects are built by tag; plugin
defaults sit under the user's values."""
import numpy as np
import pytest
from astropy.io import fits

import gammabin.plugins as plugins
from gammabin import hookimpl
from gammabin.errors import MakerParameterError, UnknownTagError
from gammabin.makers.from_config import (REGION_FINDER_REGISTRY, maker_from_dict, maker_schema,
                                         makers_from_list, makers_from_yaml)

V1_YAML = """
# the "combining data reduction steps" chain, as configuration
makers:
  - tag: MapDatasetMaker
  - tag: SafeMaskMaker
    methods: [aeff-default, offset-max]
    offset_max: 3 deg
"""
CRAB_RUNS = [23523, 23526, 23559, 23592]


def _close(actual, reference, rtol):
    """The reference README's per-bin rule: |a - r| <= rtol (|r| + 1e-3 max|r|), NaN where NaN."""
    actual, reference = np.asarray(actual, float), np.asarray(reference, float)
    assert np.array_equal(np.isnan(actual), np.isnan(reference))
    a, r = np.nan_to_num(actual), np.nan_to_num(reference)
    bound = rtol * (np.abs(r) + 1e-3 * np.abs(r).max())
    worst = np.max(np.abs(a - r) - bound)
    assert worst <= 0, f"exceeds rtol {rtol} by {worst}"


def _close_irf_map(actual, reference, rtol=1e-2):
    """PSF/EDISP: sum within rtol, per bin where the value exceeds 1e-3 of the maximum."""
    a, r = np.asarray(actual, float), np.asarray(reference, float)
    assert a.sum() == pytest.approx(r.sum(), rel=rtol)
    big = np.abs(r) > 1e-3 * np.abs(r).max()
    np.testing.assert_allclose(a[big], r[big], rtol=rtol)


@pytest.fixture(scope="module")
def v1_from_yaml(hess_dir, tmp_path_factory):
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.maps import MapAxis, WcsGeom

    plugins.reset()
    makers = makers_from_yaml(V1_YAML)
    run_maker = plugins.get_plugin_manager().hook.gammabin_run_maker
    observations = DataStore.from_dir(hess_dir).get_observations(CRAB_RUNS)
    energy = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), axes=[energy], width=5, binsz=0.02)
    stacked = MapDataset.create(geom, name="stacked")
    for obs in observations:
        dataset = stacked.cutout(obs.pointing_radec, width="6 deg")
        for maker in makers:  # through the hook, so plugin wrappers would see each step
            dataset = run_maker(maker=maker, dataset=dataset, observation=obs)
        stacked.stack(dataset)
    path = tmp_path_factory.mktemp("v1") / "stacked.fits.gz"
    stacked.write(path, overwrite=True)
    return path


def test_yaml_reduction_reproduces_v1_stacked(v1_from_yaml, reference_dir):
    with fits.open(v1_from_yaml) as ours, fits.open(reference_dir / "V1" / "stacked.fits.gz") as ref:
        assert np.array_equal(ours["MASK_SAFE"].data.astype(bool), ref["MASK_SAFE"].data.astype(bool))
        assert np.max(np.abs(ours["COUNTS"].data - ref["COUNTS"].data)) <= 0.01
        assert ref["COUNTS"].data.sum() > 1000
        _close(ours["EXPOSURE"].data, ref["EXPOSURE"].data, 1e-4)
        _close(ours["BACKGROUND"].data, ref["BACKGROUND"].data, 1e-3)
        for name in ("PSF", "PSF_EXPOSURE", "EDISP", "EDISP_EXPOSURE"):
            assert ours[name].header.get("BUNIT") == ref[name].header.get("BUNIT")
            _close_irf_map(ours[name].data, ref[name].data)


def test_yaml_list_and_mapping_forms_agree(tmp_path):
    path = tmp_path / "reduction.yaml"
    path.write_text(V1_YAML)
    from_file = makers_from_yaml(path)
    as_list = makers_from_list([{"tag": "MapDatasetMaker"},
                                {"tag": "SafeMaskMaker", "methods": ["aeff-default", "offset-max"],
                                 "offset_max": "180 arcmin"}])
    assert [type(m).__name__ for m in from_file] == ["MapDatasetMaker", "SafeMaskMaker"]
    assert from_file[1].methods == as_list[1].methods == ["aeff-default", "offset-max"]
    assert from_file[1].offset_max.to_value("deg") == pytest.approx(3.0)
    assert as_list[1].offset_max.to_value("deg") == pytest.approx(3.0)


def test_unknown_tag_lists_the_known_ones():
    with pytest.raises(UnknownTagError) as info:
        makers_from_list([{"tag": "MapDatasetMaker"}, {"tag": "SafeMaskMakr"}])
    message = str(info.value)
    assert "makers[1]" in message and "'SafeMaskMakr'" in message
    assert "Did you mean 'SafeMaskMaker'" in message and "Known tags:" in message
    assert "MapDatasetMaker" in message


@pytest.mark.parametrize("config, pattern", [
    ({"tag": "SafeMaskMaker", "offset_max": "3 TeV"}, r"makers\[0\]: SafeMaskMaker\.offset_max: expected a quantity convertible to deg"),
    ({"tag": "SafeMaskMaker", "methods": ["aeff-best"]}, r"SafeMaskMaker\.methods: expected a list of \['aeff-default'"),
    ({"tag": "SafeMaskMaker", "aeff_percent": "ten"}, r"SafeMaskMaker\.aeff_percent: expected a float"),
    ({"tag": "SafeMaskMaker", "offset": 3}, r"SafeMaskMaker: unknown parameter\(s\) offset; valid parameters: methods"),
    ({"tag": "MapDatasetMaker", "selection": ["counts", "flux"]}, r"MapDatasetMaker\.selection"),
    ({"methods": []}, r"needs a 'tag' key"),
])
def test_bad_parameters_name_maker_field_and_expectation(config, pattern):
    with pytest.raises(MakerParameterError, match=pattern):
        makers_from_list([config])


def test_schema_describes_fields_with_units():
    schema = {entry["name"]: entry for entry in maker_schema(type(maker_from_dict({"tag": "SafeMaskMaker"})))}
    assert schema["offset_max"]["unit"] == "deg"
    assert schema["offset_max"]["expected"] == "a quantity in deg"
    assert schema["methods"]["default"] == ["aeff-default"]
    assert list(schema)[:2] == ["methods", "aeff_percent"]  # gammapy's parameter order


class _Defaults:
    """A runtime plugin giving defaults for one telescope."""

    @staticmethod
    @hookimpl
    def gammabin_maker_defaults(tag, telescope):
        if tag == "SafeMaskMaker" and telescope == "TESTSCOPE":
            return {"methods": ["offset-max"], "offset_max": "2.5 deg", "not_a_field": 1}
        return None


@pytest.fixture
def runtime_plugin():
    names = []

    def _register(obj, name):
        names.append(plugins.register(obj, name=name))

    plugins.reset()
    yield _register
    plugins.reset()


def test_plugin_defaults_apply_under_user_values(runtime_plugin):
    runtime_plugin(_Defaults, "test-defaults")
    default = maker_from_dict({"tag": "SafeMaskMaker"}, telescope="TESTSCOPE")
    assert default.methods == ["offset-max"] and default.offset_max.to_value("deg") == 2.5
    user = maker_from_dict({"tag": "SafeMaskMaker", "offset_max": 1}, telescope="TESTSCOPE")
    assert user.methods == ["offset-max"] and user.offset_max.to_value("deg") == 1.0
    other = maker_from_dict({"tag": "SafeMaskMaker"}, telescope="HESS")
    assert other.methods == ["aeff-default"] and other.offset_max.to_value("deg") == 3.0


def _toy_finder_and_maker():
    import attrs

    from gammabin.makers import Maker
    from gammabin.makers.from_config import _region_finder_base
    from gammabin.makers.parameters import number_field

    @attrs.define
    class ToyRegionsFinder(_region_finder_base()):
        tag = "ToyRegionsFinder"
        n_off_regions: int = number_field(1, type=int, min=1, doc="number of OFF regions")

        def find(self, plane, exclusion_mask=None):
            return []

    @attrs.define
    class ToyBackgroundMaker(Maker):
        tag = "ToyBackgroundMaker"
        region_finder: object = None

        def run(self, dataset, observation):
            return dataset

    class Plugin:
        @staticmethod
        @hookimpl
        def gammabin_register_region_finders():
            return [ToyRegionsFinder]

        @staticmethod
        @hookimpl
        def gammabin_register_makers():
            return [ToyBackgroundMaker]

    return ToyRegionsFinder, Plugin


def test_nested_object_built_by_tag(runtime_plugin):
    finder_cls, plugin = _toy_finder_and_maker()
    runtime_plugin(plugin, "test-nested")
    assert REGION_FINDER_REGISTRY.get_cls("ToyRegionsFinder") is finder_cls
    yaml_text = ("- tag: ToyBackgroundMaker\n  region_finder: {tag: ToyRegionsFinder, n_off_regions: 3}\n"
                 "- tag: ToyBackgroundMaker\n  region_finder: {tag: WobbleRegionsFinder, n_off_regions: 3}\n")
    toy, wobble = makers_from_yaml(yaml_text)
    assert isinstance(toy.region_finder, finder_cls) and toy.region_finder.n_off_regions == 3
    assert type(wobble.region_finder).__name__ == "WobbleRegionsFinder"  # the core's, by tag
    assert wobble.region_finder.n_off_regions == 3
    with pytest.raises(MakerParameterError, match=r"ToyRegionsFinder\.n_off_regions: expected a int"):
        makers_from_list([{"tag": "ToyBackgroundMaker", "region_finder": {"tag": "ToyRegionsFinder", "n_off_regions": "x"}}])
    with pytest.raises(MakerParameterError, match=r"ToyBackgroundMaker\.region_finder: unknown tag 'Nope'.*Known tags: .*ToyRegionsFinder"):
        makers_from_list([{"tag": "ToyBackgroundMaker", "region_finder": {"tag": "Nope"}}])
