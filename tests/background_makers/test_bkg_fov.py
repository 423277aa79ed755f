"""FoVBackgroundMaker against gammapy 2.1 (V6 norms per run for scale, fit, fit_tilt) and
its failure / quirk behaviour."""
import json

import numpy as np
import pytest

from bkg_helpers import RUNS, crab_exclusion


@pytest.fixture(scope="module")
def v6(v1_per_run, reference_dir):
    per_run, geom = v1_per_run
    ref = json.loads((reference_dir / "V6" / "summary.json").read_text())["extras"]["fov"]
    return per_run, crab_exclusion(geom.to_image()), ref


def _maker(variant, mask):
    from gammabin.makers import FoVBackgroundMaker

    maker = FoVBackgroundMaker(method="scale" if variant == "scale" else "fit", exclusion_mask=mask)
    if variant == "fit_tilt":
        maker.default_spectral_model.tilt.frozen = False
    return maker


@pytest.mark.parametrize("variant", ["scale", "fit", "fit_tilt"])
@pytest.mark.parametrize("obs_id", RUNS)
def test_v6_fov_norms(obs_id, variant, v6):
    per_run, mask, ref = v6
    dataset = per_run[obs_id]
    expected = ref[dataset.name][variant]
    out = _maker(variant, mask).run(dataset.copy(name=f"{dataset.name}_{variant}"))
    model = out.background_model.spectral_model
    np.testing.assert_allclose(model.norm.value, expected["norm"], rtol=2e-3)
    assert abs(model.tilt.value - expected["tilt"]) <= 5e-3
    np.testing.assert_allclose(out.npred_background().data.sum(), expected["npred_background_sum"], rtol=1e-3)
    assert int(out.mask_safe.data.sum()) == expected["mask_safe_true"]
    assert out.mask_fit is None  # restored
    assert out.models[f"{out.name}-bkg"] is out.background_model
    if variant == "scale":  # Σn/ΣB over the fit mask: only the background's solid angles
        # differ (exact CAR rows here, gammapy's planar triangles there: ≤ 1e-7)
        np.testing.assert_allclose(model.norm.value, expected["norm"], rtol=1e-7)


def test_fov_scale_is_ratio_of_masked_sums(v6):
    per_run, mask, _ = v6
    from gammabin.makers.exclusion import exclusion_on_geom

    dataset = per_run[23523].copy(name="sums")
    image, _ = exclusion_on_geom(mask, dataset.counts.geom)
    m = dataset.mask_safe.data & image[None]
    assert int(m.sum()) == 591932
    ratio = dataset.counts.data[m].sum() / dataset.background.data[m].sum(dtype=float)
    out = _maker("scale", mask).run(dataset)
    np.testing.assert_allclose(out.background_model.spectral_model.norm.value, ratio, rtol=1e-12)
    np.testing.assert_allclose(out.background_model.spectral_model.norm.error, ratio / np.sqrt(dataset.counts.data[m].sum()), rtol=1e-7)


def test_fov_existing_norm_quirk_and_user_mask_fit(v6):
    """Quirk 9: a pre-existing norm N0 = 2 halves the scale result; quirk 10: the user's
    mask_fit is multiplied in place and put back on the dataset."""
    per_run, mask, ref = v6
    dataset = per_run[23592].copy(name="quirk")
    maker = _maker("scale", mask)
    maker.run(dataset)
    first = dataset.background_model.spectral_model.norm.value
    dataset.background_model.spectral_model.norm.value = 2.0
    from gammabin.maps import Map

    user_fit = Map.from_geom(dataset.counts.geom, data=np.ones(dataset.counts.geom.data_shape, bool))
    dataset.mask_fit = user_fit
    maker.run(dataset)
    np.testing.assert_allclose(dataset.background_model.spectral_model.norm.value, first / 2, rtol=1e-12)
    assert dataset.mask_fit is user_fit and not user_fit.data.all()


def test_fov_failure_clears_mask_safe_and_keeps_norm(v6):
    from gammabin.makers import FoVBackgroundMaker

    per_run, mask, _ = v6
    dataset = per_run[23526].copy(name="fail")
    out = FoVBackgroundMaker(method="fit", exclusion_mask=mask, min_counts=1e9).run(dataset)
    assert not out.mask_safe.data.any()
    assert out.background_model.spectral_model.norm.value == 1.0
    assert "min_counts" in out.meta["fov_background_failure"]
    template = per_run[23526].background.data
    np.testing.assert_array_equal(out.background.data, template)


def test_fov_method_and_model_validation():
    from gammabin.makers import FoVBackgroundMaker

    with pytest.raises(ValueError):
        FoVBackgroundMaker(method="fitt")
    with pytest.raises(ValueError):
        FoVBackgroundMaker(spectral_model="pl")


def test_fit_norm_tilt_closed_form_is_cash_optimum():
    """The brentq root is the minimum of the per-energy Cash statistic (checked by scipy)."""
    from scipy import optimize

    from gammabin.makers.fov_background import fit_norm_tilt

    rng = np.random.default_rng(3)
    log_e = np.log(np.geomspace(1, 10, 8))
    b_k = 100 * np.exp(-1.5 * log_e)
    n_k = rng.poisson(0.8 * b_k * np.exp(0.2 * log_e)).astype(float)
    norm, tilt, errors, ok = fit_norm_tilt(n_k, b_k, log_e, 1.0, 0.0, norm_free=True, tilt_free=True)

    def cash(p):
        mu = b_k * p[0] * np.exp(-p[1] * log_e)
        return 2 * np.sum(mu - n_k * np.log(mu))

    res = optimize.minimize(cash, [1, 0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12})
    assert ok
    np.testing.assert_allclose([norm, tilt], res.x, atol=1e-6)
    assert errors["norm"] > 0 and errors["tilt"] > 0
