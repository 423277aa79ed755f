"""MapDatasetOnOff: the V5 reference file (layout, values, summaries vs gammapy 2.1),
write/read round trip, stacking order independence, conversions and the excess /
Li & Ma significance maps."""
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits

OFF_HDUS = ["COUNTS_OFF", "COUNTS_OFF_BANDS", "ACCEPTANCE", "ACCEPTANCE_BANDS", "ACCEPTANCE_OFF", "ACCEPTANCE_OFF_BANDS"]


@pytest.fixture(scope="module")
def v5_onoff(reference_dir):
    from gammabin.datasets import MapDatasetOnOff

    return MapDatasetOnOff.read(reference_dir / "V5" / "ring.fits.gz")


def test_read_reference_and_summaries(v5_onoff, expected):
    ref = expected["v5_info_dict"]
    info = v5_onoff.info_dict()
    for key in ("counts", "counts_off", "n_bins", "n_fit_bins", "stat_type", "name"):
        assert info[key] == ref[key], key
    for key in ("excess", "sqrt_ts", "background", "npred", "npred_background", "stat_sum", "acceptance",
                "acceptance_off", "alpha", "excess_rate", "background_rate"):
        np.testing.assert_allclose(float(getattr(info[key], "value", info[key])), ref[key], rtol=1e-6, err_msg=key)
    ours = str(v5_onoff).splitlines()
    theirs = expected["v5_str"].splitlines()
    assert ours[:-3] == theirs[:-3]
    for line, ref_line in zip(ours[-3:], theirs[-3:]):  # float32 sums: gammapy sums big-endian data
        assert line.split(":")[0] == ref_line.split(":")[0]
        assert abs(float(line.split(":")[1]) - float(ref_line.split(":")[1])) <= 1


def test_write_read_round_trip_and_layout(v5_image, v5_mask, tmp_path, reference_dir):
    from gammabin.datasets import MapDatasetOnOff
    from gammabin.makers import RingBackgroundMaker

    ring = RingBackgroundMaker(r_in="0.3 deg", width="0.3 deg", exclusion_mask=v5_mask).run(v5_image)
    path = tmp_path / "ring.fits.gz"
    ring.write(path)
    with fits.open(path) as ours, fits.open(reference_dir / "V5" / "ring.fits.gz") as ref:
        names = [h.name for h in ours]
        assert names == [h.name for h in ref]
        assert names[-7:] == ["META_TABLE"] + OFF_HDUS and "BACKGROUND" not in names
    back = MapDatasetOnOff.read(path)
    assert back.name == "stacked_image"
    for key in ("counts", "counts_off", "acceptance", "acceptance_off", "mask_safe"):
        np.testing.assert_array_equal(getattr(back, key).data, getattr(ring, key).data)
    np.testing.assert_array_equal(back.alpha.data, ring.alpha.data)
    with pytest.raises(NotImplementedError):
        MapDatasetOnOff.read(path, lazy=True)


def _cutouts(dataset):
    pos_a, pos_b = SkyCoord(83.2, 22.0, unit="deg"), SkyCoord(84.0, 22.2, unit="deg")
    return dataset.cutout(pos_a, "2 deg", name="a"), dataset.cutout(pos_b, "2 deg", name="b")


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_stacking_cutouts_against_gammapy(order, v5_onoff, expected):
    from gammabin.datasets import MapDatasetOnOff

    a, b = _cutouts(v5_onoff)
    assert a.counts_off.geom == a.counts.geom and a.acceptance_off.data.shape == a.counts.data.shape
    stack = MapDatasetOnOff.from_geoms(**v5_onoff.geoms, name="stack")
    for d in ((a, b) if order == "ab" else (b, a)):
        stack.stack(d)
    ref = expected["stack_cutouts"][order]
    assert stack.counts.data.sum() == ref["counts_sum"]
    assert stack.counts_off.data.sum() == ref["counts_off_sum"]
    np.testing.assert_allclose(stack.acceptance.data.sum(dtype=float), ref["acceptance_sum"], rtol=1e-6)
    np.testing.assert_allclose(np.nansum(stack.acceptance_off.data, dtype=float), ref["acceptance_off_sum"], rtol=1e-6)
    np.testing.assert_allclose(stack.alpha.data.sum(), ref["alpha_sum"], rtol=1e-6)
    assert stack.acceptance_off.data.dtype == np.float32


def test_stacking_order_independent_alpha(v5_onoff):
    from gammabin.datasets import MapDatasetOnOff

    a, b = _cutouts(v5_onoff)
    results = []
    for first, second in ((a, b), (b, a)):
        stack = MapDatasetOnOff.from_geoms(**v5_onoff.geoms, name="s")
        stack.stack(first)
        stack.stack(second)
        results.append(stack)
    np.testing.assert_allclose(results[0].alpha.data, results[1].alpha.data, rtol=1.5e-7)
    np.testing.assert_array_equal(results[0].counts_off.data, results[1].counts_off.data)
    # stacked alpha = OFF-weighted mean of the inputs' alphas where both overlap
    overlap = (results[0].counts_off.data > 0)
    assert overlap.any()


def test_stack_type_and_incomplete_errors(v5_onoff):
    from gammabin.datasets import MapDatasetOnOff

    with pytest.raises(TypeError):
        v5_onoff.copy(name="x").stack(v5_onoff.to_map_dataset())
    incomplete = MapDatasetOnOff(counts=v5_onoff.counts, mask_safe=v5_onoff.mask_safe, name="inc")
    with pytest.raises(ValueError):
        v5_onoff.copy(name="y").stack(incomplete)


def test_alpha_nan_to_num_and_conversions(v5_onoff):
    from gammabin.datasets import MapDataset, MapDatasetOnOff
    from gammabin.maps import Map

    geom = v5_onoff.counts.geom
    acc = Map.from_geom(geom, data=np.full(geom.data_shape, 2.0))
    acc_off = np.zeros(geom.data_shape)
    acc_off[0, :10] = 4.0
    onoff = MapDatasetOnOff.from_map_dataset(v5_onoff.to_map_dataset(name="m"), acceptance=acc,
                                             acceptance_off=Map.from_geom(geom, data=acc_off),
                                             counts_off=v5_onoff.counts_off, name="conv")
    assert onoff.alpha.data[0, 0, 0] == 0.5
    assert onoff.alpha.data[0, 20, 0] == np.finfo(float).max  # x/0 -> largest float64
    as_map = v5_onoff.to_map_dataset(name="cash")
    assert isinstance(as_map, MapDataset) and as_map.stat_type == "cash"
    np.testing.assert_allclose(as_map.background.data, v5_onoff.alpha.data * v5_onoff.counts_off.data)
    # scalar acceptances and OFF counts deduced from the background template
    derived = MapDatasetOnOff.from_map_dataset(as_map, acceptance=1, acceptance_off=3, name="d")
    np.testing.assert_allclose(derived.counts_off.data, as_map.background.data * 3)
    assert derived.acceptance.data.shape == geom.data_shape


def test_to_image_acceptance_off_rule(v5_onoff):
    image = v5_onoff.to_image(name="img")  # already one bin: resampling keeps the values
    mask = v5_onoff.mask_safe.data
    np.testing.assert_allclose(image.counts_off.data, v5_onoff.counts_off.data * mask)
    bkg = v5_onoff.background.data * mask
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = image.acceptance.data * image.counts_off.data / bkg
    np.testing.assert_allclose(image.acceptance_off.data[mask], expected[mask], rtol=1e-6)


def test_excess_and_li_ma_significance_maps():
    """Analytic Li & Ma eq. 17 (n_on=10, n_off=20, alpha=0.25; and a deficit)."""
    from gammabin.datasets import MapDatasetOnOff
    from gammabin.maps import Map, MapAxis, WcsGeom

    axis = MapAxis.from_edges([1, 10], unit="TeV", name="energy")
    geom = WcsGeom.create(skydir=(0, 0), width=(0.2, 0.1), binsz=0.1, axes=[axis])
    n_on, n_off, alpha = np.array([[[10.0, 2.0]]]), np.array([[[20.0, 40.0]]]), 0.25
    onoff = MapDatasetOnOff(counts=Map.from_geom(geom, data=n_on), counts_off=Map.from_geom(geom, data=n_off),
                            acceptance=Map.from_geom(geom, data=np.full(n_on.shape, 1.0)),
                            acceptance_off=Map.from_geom(geom, data=np.full(n_on.shape, 4.0)), name="lima")
    np.testing.assert_allclose(onoff.excess_map().data, [[[5.0, -8.0]]])
    sig = onoff.significance_map().data
    n = n_on + n_off
    ts = 2 * (n_on * np.log((1 + alpha) / alpha * n_on / n) + n_off * np.log((1 + alpha) * n_off / n))
    np.testing.assert_allclose(sig, np.sign(n_on - alpha * n_off) * np.sqrt(ts), rtol=1e-12)
    np.testing.assert_allclose(sig[0, 0, 0], 1.7099, atol=1e-4)  # 2(10 ln(5/3) + 20 ln(5/6)) = 2.9236
    assert sig[0, 0, 1] < 0
