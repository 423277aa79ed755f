"""Stacking (spec §1.4), cutouts (§1.5) and the IRF weights (hazards H1, H3, H4, H5),
on the gammapy-written per-run V1 files (1.5° cutouts of the runs) and V1's geometry."""
import json
from pathlib import Path

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord

from gammabin.datasets import Datasets, MapDataset
from gammabin.maps import MapAxis, WcsGeom

RUNS = [23523, 23592, 23526, 23559]
EXPECTED = Path(__file__).resolve().parents[1] / "expected" / "datasets_stack_masks.json"


def v1_geom():
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    return WcsGeom.create(skydir=(83.63, 22.01), axes=[axis], width=5, binsz=0.02)


@pytest.fixture(scope="module")
def runs(reference_dir):
    return {run: MapDataset.read(reference_dir / "V1" / f"obs_{run}.fits.gz") for run in RUNS}


@pytest.fixture(scope="module")
def stacks(runs):
    out = []
    for order in (RUNS, RUNS[::-1]):
        stacked = MapDataset.create(v1_geom(), name="stacked")
        for run in order:
            stacked.stack(runs[run])
        out.append(stacked)
    return out


def test_stack_order_does_not_matter(stacks):
    a, b = stacks
    for key in ("counts", "background", "exposure"):
        x, y = np.asarray(getattr(a, key).data), np.asarray(getattr(b, key).data)
        assert x.dtype == np.float32
        assert np.allclose(x, y, rtol=1e-6, atol=1e-6 * np.abs(y).max())
    assert np.array_equal(a.mask_safe.data, b.mask_safe.data)
    for x, y in ((a.psf.psf_map, b.psf.psf_map), (a.edisp.edisp_map, b.edisp.edisp_map)):
        assert np.allclose(x.data, y.data, rtol=1e-5, atol=1e-6 * np.abs(y.data).max())
        assert x.data.dtype == np.float32


def test_counts_conservation_and_livetime(stacks, runs):
    stacked = stacks[0]
    expected = sum((r.counts.data * r.mask_safe.data).sum() for r in runs.values())
    assert stacked.counts.data.sum() == expected
    livetime = sum(r.exposure.meta["livetime"] for r in runs.values())
    assert u.isclose(stacked.exposure.meta["livetime"], livetime)
    # GTI: union of the four runs (no overlap), meta table: one row of 4-element cells
    assert u.isclose(stacked.gti.time_sum, sum(r.gti.time_sum for r in runs.values()))
    assert list(stacked.meta_table["OBS_ID"][0]) == RUNS
    assert len(stacked.meta_table) == 1
    # mask OR: the union of the runs' safe bins (all True in these cut-outs)
    assert stacked.mask_safe.data.sum() == 4 * 61875 - _overlap_bins(runs)


def _overlap_bins(runs):
    geom = v1_geom()
    count = np.zeros(geom.data_shape, int)
    from gammabin.irf.irf_map import insertion_slices

    for r in runs.values():
        parent, child = insertion_slices(geom, r.counts.geom)
        count[(Ellipsis, *parent)] += r.mask_safe.data[(Ellipsis, *child)]
    return int((count - (count > 0)).sum())


def test_psf_units_converted_and_exposure_weighted(runs):
    run = runs[23523]
    stacked = MapDataset.create(v1_geom())
    stacked.stack(run)
    assert stacked.psf.psf_map.unit == u.Unit("sr-1") and run.psf.psf_map.unit == u.Unit("deg-2")
    # a single stacked run gives back its PSF (deg-2 → sr-1) where its weight is True
    from gammabin.irf.irf_map import insertion_slices

    parent, child = insertion_slices(stacked.psf.psf_map.geom, run.psf.psf_map.geom)
    mine = stacked.psf.psf_map.data[(Ellipsis, *parent)]
    theirs = run.psf.psf_map.quantity.to_value("sr-1")[(Ellipsis, *child)]
    weights = run.mask_safe_psf[(Ellipsis, *child)]
    ok = np.broadcast_to(weights, theirs.shape) & (run.psf.exposure_map.data[(Ellipsis, *child)] > 0)
    assert np.allclose(mine[ok], theirs[ok], rtol=1e-5)
    # outside the run the created (zero-exposure) PSF stays as it was: zero
    assert stacked.psf.psf_map.data.sum() == pytest.approx(mine.sum())


@pytest.mark.parametrize("name", ["V1/obs_23523", "V1/obs_23592", "V2/obs_23523", "V2/obs_23526", "V8/stacked_gc"])
def test_irf_weights_match_gammapy(reference_dir, name):
    expected = json.loads(EXPECTED.read_text())[name]
    ds = MapDataset.read(reference_dir / f"{name}.fits.gz")
    psf = np.unpackbits(np.array(expected["psf"], np.uint8))[: np.prod(expected["psf_shape"])]
    edisp = np.unpackbits(np.array(expected["edisp"], np.uint8))[: np.prod(expected["edisp_shape"])]
    assert np.array_equal(ds.mask_safe_psf.ravel(), psf.astype(bool))
    assert ds.mask_safe_edisp.shape == tuple(expected["edisp_shape"])
    assert np.array_equal(ds.mask_safe_edisp.ravel(), edisp.astype(bool))


def test_edisp_mask_leaks_into_bin0_h3():
    ds = MapDataset.create(v1_geom())
    ds.mask_safe.data[1:] = True  # bins 1–10 safe, bin 0 unsafe
    weights = ds.mask_safe_edisp
    assert weights.shape == (1, 11, 25, 25)
    assert weights.all()  # bin 0's centre pix is 2.2e-16, so bin 1 leaks in (gammapy 2.1)
    ds.mask_safe.data[:] = False
    ds.mask_safe.data[:10] = True  # last bin unsafe: no leak at the top
    assert not ds.mask_safe_edisp[0, 10].any() and ds.mask_safe_edisp[0, :10].all()


@pytest.mark.parametrize("shape", [(5, 1, 1), (5, 1, 7), (5, 6, 1), (5, 6, 7)])
def test_mask_planes_sampled_at_once_equal_one_by_one(shape):
    # the EDISP weights sample every reco-energy plane of the safe mask in one call
    from gammabin.datasets.stacking import _linear_sample_2d

    rng = np.random.default_rng(7)
    mask = rng.random(shape) > 0.5
    x, y = rng.uniform(-1, shape[2], (4, 3)), rng.uniform(-1, shape[1], (4, 3))
    together = _linear_sample_2d(mask, x, y)
    assert together.shape == (shape[0], 4, 3)
    for k in range(shape[0]):
        assert np.array_equal(together[k], _linear_sample_2d(mask[k], x, y))
    iy, ix = np.meshgrid(np.arange(shape[1]), np.arange(shape[2]), indexing="ij")  # on the pixel centres
    assert np.array_equal(_linear_sample_2d(mask, ix.astype(float), iy.astype(float)), mask.astype(float))


def test_cutout_of_a_fresh_reference_copies_what_the_user_wrote():
    # nothing stacked yet: all-zero maps are cut out as fresh zeros, others copied
    ds = MapDataset.create(v1_geom())
    ds.counts.data[3, 120, 130] = 7
    cut = ds.cutout(SkyCoord(83.63, 22.01, unit="deg"), width="2 deg")
    assert cut.counts.data.sum() == 7 and cut.exposure.data.sum() == 0 and not cut.mask_safe.data.any()
    for name in ("counts", "exposure", "mask_safe"):
        getattr(cut, name).data[...] = 1  # the cutout owns its arrays: the reference is unchanged
    assert ds.counts.data.sum() == 7 and ds.exposure.data.sum() == 0 and not ds.mask_safe.data.any()


def test_psf_weight_nearest_pixel_h1():
    ds = MapDataset.create(v1_geom())
    ds.mask_safe.data[:, :, :10] = True  # first 10 fine columns (0.2° = one IRF column)
    w = ds.mask_safe_psf[0, 0]
    # IRF column 0 centre sits at fine x = 4.5 (±round-off) → inside the safe block
    assert w[:, 0].all() and not w[:, 2:].any()


def test_cutout_geometry_h4(runs):
    ds = MapDataset.create(v1_geom())
    cut = ds.cutout(SkyCoord(83.63, 22.01, unit="deg"), width="1.5 deg", name="c")
    ref = runs[23523]
    assert cut.name == "c"
    assert cut.counts.geom.data_shape == ref.counts.geom.data_shape == (11, 75, 75)
    assert cut.psf.psf_map.geom.data_shape == ref.psf.psf_map.geom.data_shape == (11, 66, 8, 8)
    assert np.allclose(cut.psf.psf_map.geom.wcs.wcs.crpix, ref.psf.psf_map.geom.wcs.wcs.crpix)
    assert np.allclose(cut.psf.psf_map.geom.wcs.wcs.crpix, 5.0)
    assert np.allclose(cut.counts.geom.wcs.wcs.crpix, ref.counts.geom.wcs.wcs.crpix)
    # 6° around a pointing trims to the map (250×250 or 250×200 in V1)
    big = ds.cutout(SkyCoord(83.63333333, 21.51444444, unit="deg"), width="6 deg")
    assert big.counts.geom.data_shape[-2:] == (250, 250)
    side = ds.cutout(SkyCoord(82.01333333, 22.01444444, unit="deg"), width="6 deg")  # run 23592
    assert side.counts.geom.data_shape[-2:] == (250, 200)
    assert big.gti is ds.gti and len(big.name) == 8
    partial = ds.cutout(SkyCoord(83.63, 24.0, unit="deg"), width="3 deg", mode="partial")
    assert partial.counts.geom.data_shape[-2:] == (150, 150)


def test_cutout_then_stack_recovers_region(reference_dir):
    full = MapDataset.read(reference_dir / "V1" / "stacked.fits.gz")
    cut = full.cutout(SkyCoord(83.2, 22.3, unit="deg"), width="1.5 deg")
    empty = MapDataset.create(v1_geom())
    empty.stack(cut)
    from gammabin.irf.irf_map import insertion_slices

    parent, _ = insertion_slices(empty.counts.geom, cut.counts.geom)
    region = (Ellipsis, *parent)
    mask = full.mask_safe.data[region]
    assert np.array_equal(empty.counts.data[region], full.counts.data[region] * mask)
    assert np.allclose(empty.background.data[region], full.background.data[region] * mask)
    assert np.array_equal(empty.mask_safe.data[region], mask)
    image = mask.any(axis=0)
    assert np.allclose(empty.exposure.data[region], full.exposure.data[region] * image)
    assert empty.counts.data.sum() == (full.counts.data[region] * mask).sum()


def test_to_masked_and_stack_reduce(runs):
    run = runs[23592]
    masked = run.to_masked(name="m")
    assert masked.counts.data.dtype == np.float32
    assert masked.counts.data.sum() == (run.counts.data * run.mask_safe.data).sum()
    datasets = Datasets([runs[r] for r in RUNS])
    assert datasets.names == [f"obs_{r}" for r in RUNS]
    with pytest.raises(ValueError):
        datasets.append(runs[23523])
    reduced = datasets.stack_reduce(name="all")
    assert reduced.name == "all"
    assert reduced.counts.data.sum() == sum((r.counts.data * r.mask_safe.data).sum() for r in runs.values())
    table = datasets.info_table()
    assert list(table["counts"]) == [r.info_dict()["counts"] for r in runs.values()]


def test_to_image_and_resample(runs):
    run = runs[23523]
    image = run.to_image(name="img")
    assert image.counts.geom.data_shape == (1, 75, 75)
    assert image.counts.data.sum() == pytest.approx((run.counts.data * run.mask_safe.data).sum())
    assert image.exposure is run.exposure
    assert image.edisp.edisp_map.geom.data_shape == (11, 1, 8, 8)
    axis = MapAxis.from_edges(run.counts.geom.axes["energy"].edges[[0, 5, 11]], name="energy", interp="log")
    two = run.resample_energy_axis(axis)
    assert two.counts.geom.data_shape == (2, 75, 75)
    assert two.mask_safe.data.dtype == bool


def test_unaligned_stack_raises(runs):
    other = MapDataset.create(
        WcsGeom.create(skydir=(83.0, 22.0), width=2, binsz=0.03, axes=[v1_geom().axes["energy"]])
    )
    with pytest.raises(ValueError, match="aligned"):
        MapDataset.create(v1_geom()).stack(other)


def _irf_stack_gammapy_style(receiver, other):
    """gammapy's whole-map arithmetic (M·X over the map, += in the window, /X,
    nan_to_num) on plain arrays, for the window-only implementation to agree with."""
    from gammabin.irf.irf_map import insertion_slices

    m = np.array(receiver.psf.psf_map.data, dtype=np.float32)
    x = np.array(receiver.psf.exposure_map.data, dtype=np.float32)
    parent, child = insertion_slices(receiver.psf.psf_map.geom, other.psf.psf_map.geom)
    from gammabin.datasets.stacking import mask_safe_psf

    w = mask_safe_psf(other).astype(np.float32)[(Ellipsis, *child)]
    m *= x
    om = np.asarray(other.psf.psf_map.quantity.to_value("sr-1"), dtype=np.float32)[(Ellipsis, *child)]
    ox = np.asarray(other.psf.exposure_map.quantity.to_value("m2 s"), dtype=np.float32)[(Ellipsis, *child)]
    m[(Ellipsis, *parent)] += om * ox * w
    x[(Ellipsis, *parent)] += ox * w
    with np.errstate(invalid="ignore", divide="ignore"):
        m /= x
    return np.nan_to_num(m)


@pytest.mark.parametrize("receiver", ["created", "read back"])
def test_irf_stack_touches_only_the_window_but_agrees_with_whole_map_arithmetic(runs, receiver, tmp_path):
    """The IRF stack works on the run's window only: unreached pixels are still 0
    (create()'s default PSF does not survive), pixels outside the window keep their
    exact value (gammapy's (M·X)/X round trip is at most 1 ulp away), and everything
    agrees with the whole-map arithmetic to float32 round-off."""
    big = MapDataset.create(WcsGeom.create(skydir=(83.63, 22.01), width=11, binsz=0.02,  # aligned with V1
                                           axes=[v1_geom().axes["energy"]]), name="big")
    if receiver == "read back":  # plain arrays: default kernels where the exposure is 0
        big.write(tmp_path / "big.fits")
        big = MapDataset.read(tmp_path / "big.fits")
        assert np.asarray(big.edisp.edisp_map.data).any() and not np.asarray(big.edisp.exposure_map.data).any()
    first, second = runs[RUNS[0]], runs[RUNS[1]]
    big.stack(first)
    before = np.array(big.psf.psf_map.data)
    expected = _irf_stack_gammapy_style(big, second)
    big.stack(second)
    after = np.asarray(big.psf.psf_map.data)
    np.testing.assert_allclose(after, expected, rtol=1e-6, atol=1e-7 * np.abs(expected).max())
    for irf, data in ((big.psf, after), (big.edisp, np.asarray(big.edisp.edisp_map.data))):
        reached = np.asarray(irf.exposure_map.data)[:, 0] > 0
        assert np.all(data[np.broadcast_to(~reached[:, None], data.shape)] == 0)  # no default kernel left
        assert reached.any() and not reached.all()
    from gammabin.irf.irf_map import insertion_slices

    parent, _ = insertion_slices(big.psf.psf_map.geom, second.psf.psf_map.geom)
    outside = np.ones(after.shape[-2:], dtype=bool)
    outside[parent] = False
    assert np.array_equal(after[..., outside], before[..., outside])  # exact, not rounded again


def test_prepared_receiver_gives_the_same_bits(runs):
    from gammabin.datasets.stacking import prepare_stack_target

    plain, prepared = MapDataset.create(v1_geom(), name="a"), MapDataset.create(v1_geom(), name="b")
    prepare_stack_target(prepared)
    assert all(prepared.psf.psf_map.data.flags.writeable for _ in [0])
    for run in RUNS:
        plain.stack(runs[run])
        prepared.stack(runs[run])
    for name in ("counts", "exposure", "background", "mask_safe"):
        assert np.array_equal(getattr(plain, name).data, getattr(prepared, name).data), name
    for a, b in ((plain.psf, prepared.psf), (plain.edisp, prepared.edisp)):
        assert np.array_equal(a.psf_map.data if hasattr(a, "psf_map") else a.edisp_map.data,
                              b.psf_map.data if hasattr(b, "psf_map") else b.edisp_map.data)
        assert np.array_equal(a.exposure_map.data, b.exposure_map.data)
