"""SafeMaskMaker parameters, the threshold helpers and the fast kernels of the builders,
checked against direct formulas."""
import numpy as np
import pytest

from gammabin import kernels
from gammabin.errors import MakerParameterError


@pytest.mark.parametrize("kwargs, field", [
    ({"methods": ["bogus"]}, "methods"),
    ({"offset_max": "3 m"}, "offset_max"),
    ({"irfs": "DL5"}, "irfs"),
    ({"aeff_percent": "ten"}, "aeff_percent"),
    ({"fixed_offset": "1 s"}, "fixed_offset"),
])
def test_bad_parameter_names_maker_field_and_value(kwargs, field):
    from gammabin.makers import SafeMaskMaker

    with pytest.raises(MakerParameterError) as info:
        SafeMaskMaker(**kwargs)
    message = str(info.value)
    assert f"SafeMaskMaker.{field}" in message and "expected" in message
    assert repr(next(iter(kwargs.values()))) in message


def test_position_and_fixed_offset_exclude_each_other():
    from astropy.coordinates import SkyCoord

    from gammabin.makers import SafeMaskMaker

    with pytest.raises(ValueError):
        SafeMaskMaker(position=SkyCoord(83.6, 22.0, unit="deg"), fixed_offset="1 deg")


def test_defaults_and_units():
    from gammabin.makers import SafeMaskMaker

    maker = SafeMaskMaker(offset_max=2.5)
    assert maker.methods == ["aeff-default"] and maker.irfs == "DL4"
    assert maker.offset_max.to_value("deg") == 2.5
    assert SafeMaskMaker(offset_max="3600 arcsec").offset_max.to_value("deg") == pytest.approx(1)


def test_dl3_needs_observation():
    from gammabin.makers import SafeMaskMaker

    with pytest.raises(ValueError, match="DL3"):
        SafeMaskMaker(irfs="DL3").run(object(), None)


def test_energy_bin_mask_is_edge_inclusive():
    from gammabin.makers.safe_mask import energy_bin_mask
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_edges([1, 2, 4, 8], unit="TeV", name="energy", interp="log")
    geom = WcsGeom.create(npix=2, axes=[axis])
    edges = axis.edges.to_value("TeV")
    assert energy_bin_mask(geom, edges[1])[:, 0, 0].tolist() == [False, True, True]
    assert energy_bin_mask(geom, None, edges[2])[:, 0, 0].tolist() == [True, True, False]
    assert energy_bin_mask(geom, 100.0)[:, 0, 0].tolist() == [False] * 3
    assert energy_bin_mask(geom, 0.1)[:, 0, 0].tolist() == [True] * 3


def test_find_first_root_on_loglog_template():
    from gammabin.makers.safe_mask import _template_inverse, loglog_template

    energy = np.geomspace(0.3, 10, 12)
    area = 1e5 * (1 - np.exp(-energy / 0.8))  # rising effective area
    template = loglog_template(energy, area)
    np.testing.assert_allclose(template(energy), area, rtol=1e-12)
    root = _template_inverse(energy, area, 0.5e5, energy[0], energy[-1])
    assert template(np.array([root]))[0] == pytest.approx(0.5e5, rel=1e-9)
    assert np.isnan(_template_inverse(energy, area, 2e5, energy[0], energy[-1]))


def test_power_law_bins_match_integrate_log_log():
    rng = np.random.default_rng(3)
    edges = np.geomspace(0.5, 50, 14)
    y = rng.uniform(0.1, 3, (14, 200)) * edges[:, None] ** -2.3
    y[4, :7] = 0.0
    expected = kernels.integrate_log_log(np.broadcast_to(edges[:, None], y.shape), y, axis=0)
    with np.errstate(divide="ignore"):
        actual = kernels.integrate_power_law_bins(edges, np.log(y))
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=0)
    # an exact power law integrates analytically: ∫ x^-1 dx = ln(x1/x0)
    np.testing.assert_allclose(kernels.integrate_power_law_bins(edges, -np.log(edges)), np.log(edges[1:] / edges[:-1]))


def test_edisp_fast_kernel_equals_step_by_step(crab_observations):
    from gammabin.makers.builders.edisp import _kernel_exact, kernel_values_on_pixels

    edisp = crab_observations[23523].edisp
    energy_true = np.geomspace(0.35, 9, 20)
    reco_edges = np.geomspace(1, 10, 12)
    offset = np.linspace(0, 3.0, 61)  # inside, extrapolated (2.5–2.75°) and outside the table
    fast = kernel_values_on_pixels(edisp, energy_true, offset, reco_edges)
    exact = _kernel_exact(edisp, energy_true, offset, reco_edges, 1e-8)
    np.testing.assert_allclose(fast, exact, rtol=1e-9, atol=1e-12)
    assert np.all(fast[..., offset > 2.75] == 0) and fast[..., offset < 2].sum() > 0


def test_guess_instrument_fov(crab_observations):
    from gammabin.makers.utils import guess_instrument_fov

    assert guess_instrument_fov(crab_observations[23523]).to_value("deg") == pytest.approx(2.5)
