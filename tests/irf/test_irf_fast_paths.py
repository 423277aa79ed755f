"""The float entry points used by makers agree with the public Quantity API, and the
derived operations (missing-data filling, kernels) behave as specified."""
import numpy as np
import pytest
from astropy import units as u

from gammabin.irf import PSF3D, Background3D, EDispKernel, EffectiveAreaTable2D, EnergyDispersion2D
from gammabin.maps import MapAxis

HESS = "hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023523.fits.gz"


@pytest.fixture(scope="module")
def hess(hess_dir):
    path = hess_dir / "data" / "hess_dl3_dr1_obs_id_023523.fits.gz"
    return {
        "aeff": EffectiveAreaTable2D.read(path, hdu="AEFF"),
        "edisp": EnergyDispersion2D.read(path, hdu="EDISP"),
        "psf": PSF3D.read(path, hdu="PSF"),
        "bkg": Background3D.read(path, hdu="BKG"),
    }


def test_aeff_float_entry(hess):
    aeff = hess["aeff"]
    e = np.geomspace(0.05, 150, 30)[:, None]
    off = np.linspace(0, 3, 7)
    want = aeff.evaluate(energy_true=e * u.TeV, offset=off * u.deg).to_value("m2")
    np.testing.assert_array_equal(aeff._evaluate_float(e, off), want)
    # a different coordinate unit gives the same values
    want_gev = aeff.evaluate(energy_true=e * 1e3 * u.GeV, offset=off * 60 * u.arcmin).to_value("m2")
    np.testing.assert_allclose(want_gev, want, rtol=1e-13)


def test_bkg_energy_bin_integrals(hess):
    bkg = hess["bkg"]
    edges = np.geomspace(0.5, 100, 9)
    lon, lat = np.array([0.1, -1.3, 2.0]), np.array([0.4, 0.0, -2.2])
    got = bkg._integrate_energy_bins(edges, lon, lat)
    ref = bkg.integrate_log_log("energy", energy=edges[:, None] * u.TeV, fov_lon=lon * u.deg, fov_lat=lat * u.deg)
    np.testing.assert_allclose(got, ref.to_value("s-1 sr-1"), rtol=1e-13)
    assert got.shape == (8, 3) and (got > 0).all()


def test_psf_map_values_normalised(hess):
    psf = hess["psf"]
    rad_axis = MapAxis.from_bounds(0, 0.66, 66, name="rad", unit="deg")
    r, dr = rad_axis.center.value, rad_axis.bin_width.value
    e = np.array([0.5, 1.0, 10.0])
    off = np.array([[0.2, 0.7], [1.1, 3.5]])  # 3.5 deg is outside the table → zeros
    values = psf._map_values(r, dr, e, off)
    assert values.shape == (3, 66, 2, 2)
    norm = np.sum(values * 2 * np.pi * r[None, :, None, None] * dr[None, :, None, None], axis=1)
    np.testing.assert_allclose(norm[..., :1, :], 1.0, rtol=1e-12)
    assert (values[:, :, 1, 1] == 0).all()


def test_edisp_kernel_many_offsets_equals_single(hess):
    edisp = hess["edisp"]
    e_true = edisp.axes["energy_true"]
    reco = MapAxis.from_energy_bounds(0.1, 50, 12, unit="TeV", name="energy")
    offsets = np.array([[0.3, 1.1], [2.0, 2.9]])
    many = edisp._kernel_float(offsets, e_true.center.value, reco.edges.value)
    assert many.shape == (2, 2, e_true.nbin, 12)
    for idx in np.ndindex(offsets.shape):
        single = edisp.to_edisp_kernel(offsets[idx] * u.deg, energy_axis=reco).pdf_matrix
        np.testing.assert_array_equal(many[idx], single)
    assert (many[1, 1] == 0).all()  # beyond the offset edges
    rows = many[0, 0].sum(axis=1)
    assert rows.max() <= 1 + 1e-12 and (rows > 0.99).sum() > 20


def test_interp_missing_data_fills_interior_gaps_only():
    energy = MapAxis.from_energy_bounds(0.1, 10, 6, unit="TeV", name="energy")
    lon = MapAxis.from_edges([-1, 0, 1], unit="deg", name="fov_lon")
    lat = MapAxis.from_edges([-1, 1], unit="deg", name="fov_lat")
    line = np.array([0.0, 8.0, 0.0, np.nan, 1.0, 0.0])
    data = np.stack([line, line * 2], axis=-1)[..., None]
    bkg = Background3D(axes=[energy, lon, lat], data=data, unit="s-1 MeV-1 sr-1")
    bkg.interp_missing_data("energy")
    got = bkg.data[:, 0, 0]
    assert got[0] == 0 and got[5] == 0  # no extrapolation
    np.testing.assert_allclose(got[1:5], [8.0, 4.0, 2.0, 1.0])  # log-linear in the bin index


def test_edisp_kernel_helpers():
    axis = MapAxis.from_energy_bounds(0.1, 10, 8, unit="TeV", name="energy_true")
    diag = EDispKernel.from_diagonal_response(axis)
    np.testing.assert_allclose(diag.pdf_matrix, np.eye(8), atol=1e-12)
    reco = MapAxis.from_energy_bounds(0.1, 10, 4, unit="TeV", name="energy")
    coarse = EDispKernel.from_diagonal_response(axis, reco)
    np.testing.assert_allclose(coarse.pdf_matrix.sum(axis=1), 1.0)
    image = coarse.to_image(lo_threshold=0.1 * u.TeV, hi_threshold=1 * u.TeV)
    np.testing.assert_allclose(image.pdf_matrix[:, 0], [1, 1, 1, 1, 0, 0, 0, 0], atol=1e-12)
    gauss = EDispKernel.from_gauss(axis, axis.copy(name="energy"), sigma=0.1, bias=0.0)
    np.testing.assert_allclose(gauss.get_bias(axis.center[2:6]).value, 0, atol=0.05)
    np.testing.assert_allclose(gauss.pdf_matrix[2:6].sum(axis=1), 1.0, atol=1e-3)
    assert gauss.pdf_matrix[4, 4] > 0.9  # sigma 0.1 ≪ bin width
