"""RingBackgroundMaker and AdaptiveRingBackgroundMaker against gammapy 2.1 (V5 reference
file, gammapy-generated adaptive-ring figures) and against direct sums."""
import warnings

import numpy as np
import pytest
from astropy.io import fits
from scipy import signal


@pytest.fixture(scope="module")
def ring(v5_image, v5_mask):
    from gammabin.makers import RingBackgroundMaker

    return RingBackgroundMaker(r_in="0.3 deg", width="0.3 deg", exclusion_mask=v5_mask).run(v5_image)


def _rtol_per_bin(actual, reference, rtol):
    actual, reference = np.asarray(actual, float), np.asarray(reference, float)
    bound = rtol * (np.abs(reference) + 1e-3 * np.abs(reference).max())
    assert np.all(np.abs(actual - reference) <= bound)


def test_ring_kernel_v5_size():
    from gammabin.makers.ring import ring_kernel

    kernel = ring_kernel(15.0, 15.0)
    assert kernel.shape == (61, 61)
    assert kernel.sum() == 2124
    assert kernel[30, 45] == 1 and kernel[30, 60] == 1 and kernel[30, 44] == 0  # both radii inclusive


def test_v5_exclusion_mask(v5_mask):
    assert int((~v5_mask.data).sum()) == 709


def test_v5_ring_matches_reference(ring, reference_dir):
    with fits.open(reference_dir / "V5" / "ring.fits.gz") as ref:
        assert np.max(np.abs(ring.counts.data - ref["COUNTS"].data)) <= 0.01
        assert np.max(np.abs(ring.counts_off.data - ref["COUNTS_OFF"].data)) <= 0.01
        _rtol_per_bin(ring.acceptance.data, ref["ACCEPTANCE"].data, 1e-3)
        _rtol_per_bin(ring.acceptance_off.data, ref["ACCEPTANCE_OFF"].data, 1e-3)
        np.testing.assert_array_equal(ring.mask_safe.data, ref["MASK_SAFE"].data.astype(bool))
    assert ring.counts_off.data.dtype == np.float32 and ring.acceptance_off.data.dtype == np.float32
    assert ring.counts_off.data.sum() == 14549027
    np.testing.assert_allclose(ring.acceptance_off.data.sum(dtype=float), 14955349.27, rtol=1e-6)
    np.testing.assert_allclose(np.nansum(ring.background.data), 7470.06, rtol=1e-5)
    np.testing.assert_allclose(ring.alpha.data.max(), 9.594e-4, rtol=1e-3)
    assert ring.name == "stacked_image"


def test_ring_equals_direct_convolution():
    """The FFT path equals a direct zero-padded sum over the ring (3-D, per plane)."""
    from gammabin.datasets import MapDataset
    from gammabin.makers import RingBackgroundMaker
    from gammabin.maps import Map, MapAxis, WcsGeom
    from gammabin.makers.ring import ring_kernel

    rng = np.random.default_rng(1)
    axis = MapAxis.from_edges([1, 2, 4], unit="TeV", name="energy")
    geom = WcsGeom.create(skydir=(10, 20), width=(1.2, 0.8), binsz=0.02, axes=[axis])
    counts = rng.poisson(3, geom.data_shape).astype("float32")
    background = rng.uniform(1, 2, geom.data_shape).astype("float32")
    mask = np.ones(geom.data_shape, bool)
    exclusion = geom.to_image().region_mask([], inside=False)
    exclusion.data[10:20, 15:30] = False
    dataset = MapDataset(counts=Map.from_geom(geom, data=counts), background=Map.from_geom(geom, data=background),
                         mask_safe=Map.from_geom(geom, data=mask), name="toy")
    out = RingBackgroundMaker(r_in="0.1 deg", width="0.08 deg", exclusion_mask=exclusion).run(dataset)
    kernel = ring_kernel(0.1 / 0.02, 0.08 / 0.02)
    excl = exclusion.data.astype(float)
    for k in range(2):
        direct = signal.convolve(counts[k] * excl, kernel, mode="same", method="direct")
        np.testing.assert_allclose(out.counts_off.data[k], direct, atol=1e-3)
        direct_b = signal.convolve(background[k] * excl, kernel, mode="same", method="direct")
        np.testing.assert_allclose(out.acceptance_off.data[k], direct_b, rtol=1e-6)
    np.testing.assert_array_equal(out.acceptance.data, background)


def test_ring_mask_not_covering_dataset_gives_nan(v5_image):
    """Quirk 5: a mask smaller than the dataset poisons the whole OFF maps with NaN,
    mask_safe untouched, and a warning."""
    from gammabin.makers import RingBackgroundMaker
    from gammabin.maps import WcsGeom

    small = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.02)
    mask = small.region_mask([], inside=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = RingBackgroundMaker(r_in="0.3 deg", width="0.3 deg", exclusion_mask=mask).run(v5_image)
    assert np.isnan(out.counts_off.data).all() and np.isnan(out.acceptance_off.data).all()
    np.testing.assert_array_equal(out.mask_safe.data, v5_image.mask_safe.data)


def test_ring_lookup_on_other_grid_equals_same_grid(v5_image, v5_mask, ring):
    """Nearest lookup from a coarser-but-covering TAN mask: same exclusion where the grids agree."""
    from gammabin.makers.exclusion import exclusion_on_geom

    same, n_out = exclusion_on_geom(v5_mask, v5_image.counts.geom)
    assert n_out == 0 and same.sum() == 62500 - 709


@pytest.mark.parametrize("variant", ["default", "alpha_6e-4", "alpha_6e-4_fixed_r_in", "alpha_3e-4"])
def test_adaptive_ring_against_gammapy(variant, v5_image, v5_mask, expected):
    from gammabin.makers import AdaptiveRingBackgroundMaker

    ref = expected["adaptive_ring"][variant]
    maker = AdaptiveRingBackgroundMaker(r_in="0.3 deg", r_out_max="1.5 deg", width="0.3 deg",
                                        exclusion_mask=v5_mask, **ref["kwargs"])
    out = maker.run(v5_image)
    assert int(np.isnan(out.counts_off.data).sum()) == ref["n_nan"]
    np.testing.assert_allclose(np.nansum(out.counts_off.data), ref["counts_off_sum"], rtol=1e-6)
    np.testing.assert_allclose(np.nansum(out.acceptance_off.data), ref["acceptance_off_sum"], rtol=1e-5)
    np.testing.assert_allclose(np.nansum(out.acceptance.data), ref["acceptance_sum"], rtol=1e-6)
    np.testing.assert_allclose(np.nanmax(out.alpha.data), ref["alpha_max"], rtol=1e-5)
    assert int(out.mask_safe.data.sum()) == ref["mask_safe_true"]
    assert np.nanmax(out.alpha.data) <= maker.threshold_alpha * (1 + 1e-6) or variant == "default"


def test_adaptive_ring_equals_ring_when_first_ring_passes(v5_image, v5_mask, ring):
    from gammabin.makers import AdaptiveRingBackgroundMaker

    out = AdaptiveRingBackgroundMaker(r_in="0.3 deg", r_out_max="1.5 deg", width="0.3 deg",
                                      exclusion_mask=v5_mask).run(v5_image)
    np.testing.assert_allclose(out.counts_off.data, ring.counts_off.data, atol=2e-5)
    np.testing.assert_allclose(out.acceptance_off.data, ring.acceptance_off.data, rtol=1e-6)
    assert out.counts_off.data.dtype == np.float64


def test_adaptive_ring_unreachable_threshold_leaves_nan(v5_image, v5_mask):
    from gammabin.makers import AdaptiveRingBackgroundMaker

    out = AdaptiveRingBackgroundMaker(r_in="0.3 deg", r_out_max="0.7 deg", width="0.3 deg", threshold_alpha=1e-9,
                                      exclusion_mask=v5_mask).run(v5_image)
    positive = v5_image.background.data > 0  # alpha = 0 <= threshold where the background is 0
    assert positive.sum() > 60000
    assert np.isnan(out.counts_off.data[positive]).all() and np.isnan(out.acceptance.data[positive]).all()
    assert not np.isnan(out.counts_off.data[~positive]).any()
    np.testing.assert_array_equal(out.mask_safe.data, v5_image.mask_safe.data)  # NaN <= 0 is false


def test_adaptive_ring_kernel_count_and_bad_method():
    from gammabin.makers import AdaptiveRingBackgroundMaker
    from gammabin.makers.ring import adaptive_ring_kernels

    kernels = adaptive_ring_kernels(0.3 / 0.02, 1.5 / 0.02, 0.3 / 0.02, 0.02 / 0.02, "fixed_width")
    assert len(kernels) == 45
    with pytest.raises(ValueError):
        AdaptiveRingBackgroundMaker(r_in="0.3 deg", r_out_max="1 deg", width="0.3 deg", method="nope")
