"""FoV background normalisation (background-makers.md §6): scale the dataset's background
template by the counts outside the exclusion region, either by the ratio of sums
(``scale``) or by a Poisson (Cash) maximum-likelihood fit of norm (and tilt) (``fit``).

Without a signal model the Cash statistic factorises over energy (§6.1), so the fit
runs on per-energy sums ``n_k, B_k``: closed form for the norm, a 1-D root for the tilt,
a scipy minimiser for any other combination of free parameters."""
import logging

import numpy as np
from scipy import optimize

from .exclusion import exclusion_on_geom
from .fov_model import FoVBackgroundModel, Models

__all__ = ["run_fov_background", "fit_voxels", "masked_sums", "fit_norm_tilt"]

log = logging.getLogger(__name__)


def _projected_exclusion(dataset, exclusion_mask):
    from gammabin.maps import Map

    geom = dataset.counts.geom
    image, _ = exclusion_on_geom(exclusion_mask, geom, outside=False)
    return Map.from_geom(geom, data=np.broadcast_to(image, geom.data_shape).copy(), dtype=bool)


def _add_background_model(dataset, spectral_model, spatial_model):
    model = FoVBackgroundModel(dataset.name, spectral_model=spectral_model.copy(),
                               spatial_model=None if spatial_model is None else spatial_model.copy())
    dataset.models = Models([model]) if not dataset.models else Models(list(dataset.models) + [model])


def fit_voxels(dataset):
    """``(counts, npred, npred_background, mask)`` float64 arrays, with ``mask`` =
    ``mask_safe & mask_fit & npred not NaN`` (§6 step 4); computed once per run."""
    background = np.asarray(dataset.npred_background().data, dtype=float)
    signal = np.asarray(dataset.npred_signal().data, dtype=float)
    npred = np.clip(signal + background, 0, None) if signal.any() else np.clip(background, 0, None)
    mask = np.asarray(dataset.mask_fit.data, dtype=bool) & ~np.isnan(npred)
    if dataset.mask_safe is not None:
        mask &= np.asarray(dataset.mask_safe.data, dtype=bool)
    return np.asarray(dataset.counts.data, dtype=float), npred, background, mask


def masked_sums(voxels):
    """``n, p, b`` = Σ counts, Σ npred, Σ npred_background over the fit mask."""
    counts, npred, background, mask = voxels
    return float(np.sum(counts[mask])), float(np.sum(npred[mask])), float(np.sum(background[mask]))


def _requirements_failure(n, p, b, min_counts, min_npred_background):
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (n - (p - b)) / b if b != 0 else np.nan
    if not np.isfinite(ratio):
        return "the background normalisation would not be finite"
    if b <= min_npred_background:
        return f"npred background {b:.4g} <= min_npred_background {min_npred_background}"
    if n <= min_counts:
        return f"counts {n:.4g} <= min_counts {min_counts}"
    if n - (p - b) <= 0:
        return "no counts left after subtracting the predicted signal"
    return None


def _per_energy_sums(dataset, voxels, spectral_model):
    """``n_k``, ``B_k`` (template × spatial factor, the spectral factor divided out) and
    ``L_k = ln(E_k / reference)`` over the fit-mask voxels with a positive template."""
    geom = dataset.counts.geom
    model = dataset.background_model
    counts, _, _, mask = voxels
    template = np.asarray(dataset.background.data, dtype=float)
    if model.spatial_model is not None:
        template = template * np.asarray(model.spatial_model.evaluate_geom(geom.to_image()))
    mask = mask & (template > 0)
    energy_axis = geom.axes.index_data("energy")
    other = tuple(i for i in range(counts.ndim) if i != energy_axis)
    n_k = np.where(mask, counts, 0).sum(axis=other)
    b_k = np.where(mask, template, 0).sum(axis=other)
    reference = spectral_model.reference.quantity.to_value("TeV")
    log_e = np.log(geom.axes["energy"].center.to_value("TeV") / reference)
    return n_k, b_k, log_e


def fit_norm_tilt(n_k, b_k, log_e, norm, tilt, norm_free=True, tilt_free=False):
    """Cash maximum likelihood of ``μ_k = B_k · norm · e^(−tilt·L_k)`` on per-energy sums.
    Returns ``(norm, tilt, errors dict, success)``; errors from the covariance ``2 H⁻¹``."""
    n_tot = n_k.sum()
    if norm_free and not tilt_free:
        norm = n_tot / np.sum(b_k * np.exp(-tilt * log_e))
    elif norm_free and tilt_free:
        keep = b_k > 0
        b, lk, nk = b_k[keep], log_e[keep], n_k[keep]
        target = np.sum(nk * lk) / n_tot

        def mean_log(t):  # strictly decreasing in t
            w = b * np.exp(-t * lk)
            return np.sum(w * lk) / np.sum(w) - target

        try:
            tilt = optimize.brentq(mean_log, -10, 10, xtol=1e-12)
        except ValueError:
            return norm, tilt, {}, False
        norm = n_tot / np.sum(b * np.exp(-tilt * lk))
    elif tilt_free:
        def stat(t):
            f = norm * np.exp(-t * log_e)
            return 2 * np.sum(b_k * f - n_k * np.log(f))

        res = optimize.minimize_scalar(stat, bounds=(-10, 10), method="bounded", options={"xatol": 1e-10})
        tilt = float(res.x)
    if not np.isfinite(norm) or norm <= 0:
        return norm, tilt, {}, False
    w = b_k * np.exp(-tilt * log_e)
    hessian = 2 * np.array([[n_tot / norm**2, -np.sum(w * log_e)],
                            [-np.sum(w * log_e), norm * np.sum(w * log_e**2)]])
    free = [i for i, f in enumerate((norm_free, tilt_free)) if f]
    errors = {}
    if free:
        try:
            cov = 2 * np.linalg.inv(hessian[np.ix_(free, free)])
        except np.linalg.LinAlgError:
            return norm, tilt, {}, False
        errors = {("norm", "tilt")[i]: float(np.sqrt(cov[j, j])) for j, i in enumerate(free)}
    return float(norm), float(tilt), errors, True


def _fit(dataset, voxels):
    spectral = dataset.background_model.spectral_model
    n_k, b_k, log_e = _per_energy_sums(dataset, voxels, spectral)
    norm, tilt, errors, ok = fit_norm_tilt(n_k, b_k, log_e, spectral.norm.value, spectral.tilt.value,
                                           norm_free=not spectral.norm.frozen, tilt_free=not spectral.tilt.frozen)
    if not ok:
        _fail(dataset, "the fit did not converge")
        return
    spectral.norm.value, spectral.tilt.value = norm, tilt
    for key, value in errors.items():
        getattr(spectral, key).error = value


def _fail(dataset, reason):
    """Report on the dataset meta, clear the safe mask, leave the norm untouched."""
    from gammabin.irf.irf_map import writable

    log.warning("FoVBackgroundMaker failed for %s: %s. Setting mask to False.", dataset.name, reason)
    writable(dataset.mask_safe)[...] = False
    dataset.meta["fov_background_failure"] = reason


def _scale(dataset, n, p, b):
    spectral = dataset.background_model.spectral_model
    # quirk 9: b already includes the current norm, yet the ratio is written as the norm
    spectral.norm.value = (n - (p - b)) / b
    spectral.norm.error = np.sqrt(n - (p - b)) / b


def run_fov_background(dataset, method="scale", exclusion_mask=None, spectral_model=None, spatial_model=None,
                       min_counts=0, min_npred_background=0):
    """Normalise ``dataset``'s FoV background model in place and return the dataset."""
    if getattr(dataset.counts.geom, "is_region", False):
        raise TypeError("FoVBackgroundMaker does not support region based datasets.")
    if dataset.background is None:
        raise ValueError(f"FoVBackgroundMaker: dataset {dataset.name!r} has no background template")
    user_mask_fit = dataset.mask_fit
    projection = _projected_exclusion(dataset, exclusion_mask)
    if user_mask_fit is not None:
        # quirk 10: the user's mask_fit object is multiplied in place and stays modified
        user_mask_fit.data = np.asarray(user_mask_fit.data) * projection.data
    else:
        dataset.mask_fit = projection
    try:
        if dataset.background_model is None:
            _add_background_model(dataset, spectral_model, spatial_model)
        voxels = fit_voxels(dataset)
        n, p, b = masked_sums(voxels)
        failure = _requirements_failure(n, p, b, min_counts, min_npred_background)
        if failure is not None:
            _fail(dataset, failure)
        elif method == "fit":
            _fit(dataset, voxels)
        else:
            _scale(dataset, n, p, b)
    finally:
        dataset.mask_fit = user_mask_fit
    return dataset
