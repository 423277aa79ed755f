"""MapDataset.create / from_geoms: derived geometries, dtypes, units, defaults (spec §1.3)."""
import numpy as np
import pytest
from astropy import units as u

from gammabin.datasets import MapDataset
from gammabin.irf import EDispKernelMap, EDispMap, PSFMap, RecoPSFMap
from gammabin.maps import MapAxis, WcsGeom


def energy_axis(name="energy", lo=1, hi=10, nbin=11):
    return MapAxis.from_bounds(lo, hi, nbin=nbin, name=name, unit="TeV", interp="log")


def geom(width, binsz):
    return WcsGeom.create(skydir=(83.63, 22.01), width=width, binsz=binsz, axes=[energy_axis()])


@pytest.mark.parametrize(
    "width, binsz, kwargs, npix_irf",
    [(5, 0.02, {}, 25), (5, 0.5, {}, 25), (2, 0.04, {}, 10), (8, 0.05, {"binsz_irf": 0.5}, 16),
     (8, 0.05, {"binsz_irf": 0.5 * u.deg}, 16)],
)
def test_irf_geometry_size(width, binsz, kwargs, npix_irf):
    ds = MapDataset.create(geom(width, binsz), **kwargs)
    assert ds.psf.psf_map.geom.data_shape == (11, 66, npix_irf, npix_irf)
    assert ds.edisp.edisp_map.geom.data_shape == (11, 11, npix_irf, npix_irf)
    assert ds.psf.exposure_map.geom.data_shape == (11, 1, npix_irf, npix_irf)
    assert ds.edisp.exposure_map.geom.data_shape == (11, 1, npix_irf, npix_irf)
    # same centre and reference pixel at the centre (1-based (n+1)/2)
    crpix = ds.psf.psf_map.geom.wcs.wcs.crpix
    assert np.allclose(crpix, (npix_irf + 1) / 2)
    assert np.allclose(ds.psf.psf_map.geom.wcs.wcs.crval, (83.63, 22.01))


def test_members_dtypes_units_and_defaults():
    ds = MapDataset.create(geom(2, 0.04), name="empty")
    assert ds.name == "empty"
    for m in (ds.counts, ds.background, ds.exposure, ds.psf.psf_map, ds.edisp.edisp_map):
        assert m.data.dtype == np.float32
        assert np.all(np.asarray(m.data) == 0) or m is ds.edisp.edisp_map
    assert ds.exposure.unit == u.Unit("m2 s")
    assert ds.psf.psf_map.unit == u.Unit("sr-1")
    assert ds.exposure.geom.axes.names == ["energy_true"]
    assert ds.mask_safe.data.dtype == bool and not ds.mask_safe.data.any()
    assert ds.mask_fit is None
    assert isinstance(ds.psf, PSFMap) and isinstance(ds.edisp, EDispKernelMap)
    # diagonal kernel: identical reco and true axes → identity matrix in every pixel
    kernel = np.asarray(ds.edisp.edisp_map.data)
    assert np.allclose(kernel[:, :, 3, 4], np.eye(11))
    assert len(ds.gti) == 0
    assert ds.gti.time_ref.scale == "utc" and ds.gti.time_ref.mjd == 51544.0
    # members are truthy even when empty
    assert ds.psf and ds.edisp and ds.exposure


def test_overlap_kernel_linear_in_energy():
    reco = MapAxis.from_energy_edges([1, 2, 4] * u.TeV)
    true = MapAxis.from_energy_edges([1, 3, 4] * u.TeV, name="energy_true")
    g = WcsGeom.create(skydir=(0, 0), width=1, binsz=0.5, axes=[reco])
    ds = MapDataset.create(g, energy_axis_true=true, binsz_irf=0.5)
    kernel = np.asarray(ds.edisp.edisp_map.data)[:, :, 0, 0]
    assert np.allclose(kernel, [[0.5, 0.5], [0.0, 1.0]])


def test_migra_axis_gives_edisp_map():
    migra = MapAxis.from_edges(np.linspace(0, 2, 11), name="migra")
    ds = MapDataset.create(geom(2, 0.04), migra_axis=migra)
    assert isinstance(ds.edisp, EDispMap)
    pdf = np.asarray(ds.edisp.edisp_map.data)[0, :, 0, 0]
    # delta at migra 1 (pix 4.5) split over bins 4 and 5, divided by the width 0.2
    assert np.allclose(pdf, [0, 0, 0, 0, 2.5, 2.5, 0, 0, 0, 0])
    assert np.isclose((pdf * 0.2).sum(), 1)


def test_reco_psf():
    ds = MapDataset.create(geom(2, 0.04), reco_psf=True)
    assert isinstance(ds.psf, RecoPSFMap)
    assert ds.psf.psf_map.geom.axes.names == ["rad", "energy"]


def test_true_axis_named_energy_is_accepted_without_touching_it():
    true = energy_axis("energy", 0.3, 10, 31)
    ds = MapDataset.create(geom(2, 0.04), energy_axis_true=true)
    assert true.name == "energy"
    assert ds.exposure.geom.axes.names == ["energy_true"]
    assert ds.exposure.geom.axes["energy_true"].nbin == 31
    assert ds.psf.psf_map.geom.axes.names == ["rad", "energy_true"]


def test_wrong_true_axis_name_raises():
    with pytest.raises(ValueError, match="expected 'energy_true', got 'foo'"):
        MapDataset.create(geom(2, 0.04), energy_axis_true=energy_axis("foo"))


def test_invalid_irf_types_raise():
    ds = MapDataset.create(geom(2, 0.04))
    with pytest.raises(ValueError, match="psf"):
        MapDataset(counts=ds.counts, psf=ds.edisp)
    with pytest.raises(ValueError, match="edisp"):
        MapDataset(counts=ds.counts, edisp=ds.psf)


def test_random_names_and_copy():
    ds = MapDataset.create(geom(2, 0.04))
    assert len(ds.name) == 8 and not ds.name.startswith("_")
    copy = ds.copy()
    assert copy.name != ds.name and len(copy.name) == 8
    assert ds.copy(name="x").name == "x"
    copy.counts.data[0, 0, 0] = 5
    assert ds.counts.data[0, 0, 0] == 0


def test_mask_combination_and_energy_range():
    ds = MapDataset.create(geom(2, 0.04))
    assert ds.mask is ds.mask_safe
    ds.mask_safe.data[2:5] = True
    fit = ds.mask_safe.copy()
    fit.data[:] = False
    fit.data[3:8] = True
    ds.mask_fit = fit
    assert ds.mask.data.sum() == 2 * 50 * 50
    lo, hi = ds.energy_range
    edges = ds.counts.geom.axes["energy"].edges.value
    assert np.allclose(lo.data, edges[3]) and np.allclose(hi.data, edges[5])


def test_edisp_kernels_from_maps(reference_dir):
    from astropy.coordinates import SkyCoord

    run = MapDataset.read(reference_dir / "V1" / "obs_23523.fits.gz")
    kernel = run.edisp.get_edisp_kernel(SkyCoord(83.63, 22.01, unit="deg"))
    data = np.asarray(run.edisp.edisp_map.data)
    # (83.63, 22.01) is the reference pixel (CRPIX 5 → 0-based pix 4) of the 8×8 cut-out
    assert np.allclose(kernel.pdf_matrix, data[:, :, 4, 4])
    # an EDispMap holding a delta at migra 1 (spread over migra 0.9–1.1) converts to a
    # near-identity kernel: the lower reco edge / true centre = 10^(-1/22) = 0.9007 > 0.9 leaks
    # 0.3 % into the bin below; the upper one (1.110 > 1.1) leaks nothing
    migra = MapAxis.from_edges(np.linspace(0.2, 5, 49), name="migra")
    ds = MapDataset.create(geom(2, 0.04), migra_axis=migra)
    reco = ds.counts.geom.axes["energy"]
    kmap = ds.edisp.to_edisp_kernel_map(reco)
    assert isinstance(kmap, EDispKernelMap)
    k = np.asarray(kmap.edisp_map.data)[:, :, 0, 0]
    assert np.allclose(np.diag(k), 0.9968599, atol=1e-6)
    assert np.allclose(np.diag(k, -1), 0.0031401, atol=1e-6)
    assert np.allclose(k.sum(axis=1)[1:], 1)
