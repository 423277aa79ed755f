"""Behaviour of the spectrum makers beyond the reference recipes: the no-OFF-region
failure path (background-makers.md §3.4), RAD_MAX counting helpers, errors, plugins."""
import numpy as np
import pytest
from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion, PointSkyRegion, RectangleSkyRegion

from spectrum_helpers import CRAB


def _empty(region, **geom_kwargs):
    from gammabin.datasets import SpectrumDataset
    from gammabin.maps import MapAxis, RegionGeom

    energy = MapAxis.from_energy_bounds(0.5, 40, nbin=5, unit="TeV", name="energy")
    energy_true = MapAxis.from_energy_bounds(0.3, 100, nbin=8, unit="TeV", name="energy_true")
    return SpectrumDataset.create(RegionGeom.create(region, axes=[energy], **geom_kwargs), energy_axis_true=energy_true)


def _all_excluded():
    from gammabin.maps import WcsGeom

    geom = WcsGeom.create(skydir=CRAB, npix=(100, 100), binsz=0.1, proj="TAN", frame="icrs")
    return geom.region_mask([CircleSkyRegion(CRAB, Angle("10 deg"))], inside=False)


def test_no_off_region_clears_mask_safe(hess_observations):
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SpectrumDatasetMaker

    obs = hess_observations[23523]
    dataset = SpectrumDatasetMaker(selection=["counts", "exposure"]).run(_empty(CircleSkyRegion(CRAB, Angle("0.11 deg"))), obs)
    onoff = ReflectedRegionsBackgroundMaker(exclusion_mask=_all_excluded()).run(dataset, obs)
    assert onoff.counts_off is None
    assert not np.any(onoff.mask_safe.data)
    assert np.all(onoff.acceptance_off.data == 0) and np.all(onoff.acceptance.data == 1)


def test_no_off_region_with_background_template_keeps_mask(hess_observations):
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SpectrumDatasetMaker

    obs = hess_observations[23523]
    dataset = SpectrumDatasetMaker(selection=["counts", "exposure", "background"]).run(
        _empty(CircleSkyRegion(CRAB, Angle("0.11 deg"))), obs)
    onoff = ReflectedRegionsBackgroundMaker(exclusion_mask=_all_excluded()).run(dataset, obs)
    assert np.all(onoff.counts_off.data == 0)
    assert np.all(onoff.mask_safe.data)
    assert np.all(onoff.alpha.data == np.finfo(float).max)


def test_rad_max_helpers_match_the_maker_and_sum_over_points(magic_observations):
    from gammabin.makers import SpectrumDatasetMaker
    from gammabin.makers.utils import make_counts_off_rad_max, make_counts_rad_max
    from gammabin.maps import RegionGeom

    obs = magic_observations[5029747]
    on = _empty(PointSkyRegion(CRAB))
    made = SpectrumDatasetMaker(selection=["counts"]).run(on, obs)
    direct = make_counts_rad_max(on.counts.geom, obs.rad_max, obs.events)
    np.testing.assert_array_equal(made.counts.data, direct.data)
    # two copies of the ON point as "OFF" points: exactly twice the ON counts (sum, no union)
    twice = RegionGeom.from_regions([PointSkyRegion(CRAB), PointSkyRegion(CRAB)], axes=[on.counts.geom.axes["energy"]])
    np.testing.assert_array_equal(make_counts_off_rad_max(twice, obs.rad_max, obs.events).data.ravel(),
                                  2 * direct.data.ravel())
    circle = RegionGeom.create(CircleSkyRegion(CRAB, Angle("0.1 deg")), axes=[on.counts.geom.axes["energy"]])
    with pytest.raises(ValueError, match="PointSkyRegion"):
        make_counts_off_rad_max(circle, obs.rad_max, obs.events)


def test_point_like_irfs_refuse_other_shapes(magic_observations):
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SpectrumDatasetMaker

    obs = magic_observations[5029747]
    rect = RectangleSkyRegion(CRAB, width=Angle("0.2 deg"), height=Angle("0.2 deg"))
    dataset = SpectrumDatasetMaker(selection=["counts"]).run(_empty(rect), obs)
    with pytest.raises(ValueError, match="point-like"):
        ReflectedRegionsBackgroundMaker().run(dataset, obs)
    with pytest.raises(ValueError, match="point-like"):
        SpectrumDatasetMaker(selection=["exposure"], containment_correction=True).run(
            _empty(CircleSkyRegion(CRAB, Angle("0.1 deg"))), obs)


def test_maker_parameters_and_errors(hess_observations):
    from gammabin.errors import MakerParameterError
    from gammabin.makers import ReflectedRegionsBackgroundMaker, SpectrumDatasetMaker, WobbleRegionsFinder

    assert SpectrumDatasetMaker().selection == ["counts", "background", "exposure", "edisp"]
    with pytest.raises(MakerParameterError, match="selection"):
        SpectrumDatasetMaker(selection=["psf"])
    assert ReflectedRegionsBackgroundMaker(min_distance="0.2 rad").region_finder.min_distance.rad == pytest.approx(0.2)
    with pytest.raises(ValueError, match="kwargs"):
        ReflectedRegionsBackgroundMaker(region_finder=WobbleRegionsFinder(3), binsz="0.02 deg")
    mask = _all_excluded()
    from gammabin.maps import Map

    with pytest.raises(ValueError, match="boolean"):
        ReflectedRegionsBackgroundMaker(exclusion_mask=Map.from_geom(mask.geom, data=mask.data.astype(float)))
    with pytest.raises(TypeError, match="circular"):
        rect = RectangleSkyRegion(CRAB, width=Angle("0.2 deg"), height=Angle("0.2 deg"))
        SpectrumDatasetMaker(selection=["exposure"], containment_correction=True).run(
            _empty(rect), hess_observations[23523])


def test_containment_correction_is_the_psf_containment(hess_observations):
    """exposure(corrected) / exposure(plain) = PSF containment in the ON circle."""
    from gammabin.makers import SpectrumDatasetMaker

    obs = hess_observations[23523]
    region = CircleSkyRegion(CRAB, Angle("0.11 deg"))
    plain = SpectrumDatasetMaker(selection=["exposure"]).run(_empty(region), obs).exposure.data.ravel()
    corrected = SpectrumDatasetMaker(selection=["exposure"], containment_correction=True).run(
        _empty(region), obs).exposure.data.ravel()
    energy_true = _empty(region).exposure.geom.axes["energy_true"].center
    offset = SkyCoord(obs.pointing_radec).separation(CRAB)
    containment = obs.psf.containment(rad=Angle("0.11 deg"), offset=offset, energy_true=energy_true)
    np.testing.assert_allclose(corrected, plain * np.ravel(containment.to_value("")), rtol=1e-10)
    assert np.all((corrected <= plain) & (corrected > 0.3 * plain))


def test_plugins_register_makers_and_finders():
    from gammabin.makers import MAKER_REGISTRY, ReflectedRegionsFinder, WobbleRegionsFinder
    from gammabin_plugins import reflected, spectrum

    assert MAKER_REGISTRY.get_cls("SpectrumDatasetMaker") is spectrum.SpectrumDatasetMaker
    assert MAKER_REGISTRY.get_cls("ReflectedRegionsBackgroundMaker") is reflected.ReflectedRegionsBackgroundMaker
    assert reflected.gammabin_register_region_finders() == [ReflectedRegionsFinder, WobbleRegionsFinder]
