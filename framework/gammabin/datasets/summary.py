"""``info_dict`` and ``__str__`` of map datasets (spec §1.6).  Sums run over the safe
mask in the maps' own dtype (float32 sums, like gammapy)."""
import numpy as np
from astropy import units as u

__all__ = ["info_dict", "dataset_str", "cash_sqrt_ts"]


def cash_sqrt_ts(n_on, mu_bkg):
    """sign(n − b)·√(2(n ln(n/b) − (n − b))) (the Cash TS of the summed counts)."""
    n_on, mu_bkg = np.float64(n_on), np.float64(mu_bkg)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat_null = 2 * (mu_bkg - n_on * np.log(mu_bkg)) if n_on > 0 else 2 * mu_bkg
        stat_max = 2 * (n_on - n_on * np.log(n_on)) if n_on > 0 else 0.0
    ts = np.clip(stat_null - stat_max, 0, None)
    return float(np.sign(n_on - mu_bkg) * np.sqrt(ts))


def _has_signal_models(models):
    if not models:
        return False
    models = list(models)
    return len(models) > 1 or type(models[0]).__name__ != "FoVBackgroundModel"


def info_dict(dataset, in_safe_data_range=True):
    info = {"name": dataset.name}
    mask = slice(None)
    if dataset.mask_safe is not None and in_safe_data_range:
        mask = np.asarray(dataset.mask_safe.data, dtype=bool)

    counts = 0
    background, excess, sqrt_ts = np.nan, np.nan, np.nan
    if dataset.counts is not None:
        counts = dataset.counts.data[mask].sum()
        if dataset.background is not None:
            mu = dataset.npred_background().data[mask].sum()
            background = dataset.background.data[mask].sum()
            excess = counts - mu
            sqrt_ts = cash_sqrt_ts(counts, mu)
    info["counts"] = int(counts)
    info["excess"] = float(excess)
    info["sqrt_ts"] = sqrt_ts
    info["background"] = float(background)

    npred = np.nan
    if dataset.models or not np.isnan(background):
        npred = dataset.npred().data[mask].sum()
    info["npred"] = float(npred)

    npred_background = np.nan
    if dataset.background is not None:
        npred_background = dataset.npred_background().data[mask].sum()
    info["npred_background"] = float(npred_background)

    npred_signal = np.nan
    if _has_signal_models(dataset.models):
        npred_signal = dataset.npred_signal().data[mask].sum()
    info["npred_signal"] = float(npred_signal)

    exposure_min = exposure_max = u.Quantity(np.nan, "cm s")
    livetime = u.Quantity(np.nan, "s")
    if dataset.exposure is not None:
        data = np.asarray(dataset.exposure.data)
        selected = data > 0
        if dataset.mask_safe is not None:
            safe = np.asarray(dataset.mask_safe.data, dtype=bool)
            image = safe.reshape((-1,) + safe.shape[-2:]).any(axis=0)
            selected = selected & image[np.newaxis, :, :]
        values = data[selected] if selected.any() else data
        exposure_min = u.Quantity(np.min(values), dataset.exposure.unit)
        exposure_max = u.Quantity(np.max(values), dataset.exposure.unit)
        livetime = u.Quantity(dataset.exposure.meta.get("livetime", np.nan * u.s)).copy()
    info["exposure_min"] = exposure_min
    info["exposure_max"] = exposure_max
    info["livetime"] = livetime

    ontime = u.Quantity(np.nan, "s")
    if dataset.gti is not None:
        ontime = dataset.gti.time_sum
    info["ontime"] = ontime

    info["counts_rate"] = info["counts"] / info["livetime"]
    info["background_rate"] = info["background"] / info["livetime"]
    info["excess_rate"] = info["excess"] / info["livetime"]

    info["n_bins"] = int(dataset.counts.data.size) if dataset.counts is not None else 0
    mask_all = dataset.mask
    info["n_fit_bins"] = int(np.sum(mask_all.data)) if mask_all is not None else 0
    info["stat_type"] = dataset.stat_type

    stat_sum = np.nan
    if dataset.counts is not None and dataset.models is not None and hasattr(dataset, "stat_sum"):
        stat_sum = dataset.stat_sum()
    info["stat_sum"] = float(stat_sum)
    return info


def _line(label, value):
    return "  " + label.ljust(32) + ": " + value


def dataset_str(dataset):
    """gammapy's ``MapDataset.__str__`` text."""
    info = dataset.info_dict()
    name = type(dataset).__name__
    lines = [name, "-" * len(name), ""]
    lines += [_line("Name", f"{info['name']} "), ""]
    lines += [
        _line("Total counts", f"{info['counts']:.0f} "),
        _line("Total background counts", f"{info['background']:.2f}"),
        _line("Total excess counts", f"{info['excess']:.2f}"),
        "",
        _line("Predicted counts", f"{info['npred']:.2f}"),
        _line("Predicted background counts", f"{info['npred_background']:.2f}"),
        _line("Predicted excess counts", f"{info['npred_signal']:.2f}"),
        "",
        _line("Exposure min", f"{info['exposure_min']:.2e}"),
        _line("Exposure max", f"{info['exposure_max']:.2e}"),
        "",
        _line("Number of total bins", f"{info['n_bins']} "),
        _line("Number of fit bins", f"{info['n_fit_bins']} "),
        "",
        _line("Fit statistic type", f"{info['stat_type']}"),
        _line("Fit statistic value (-2 log(L))", f"{info['stat_sum']:.2f}"),
        "",
    ]
    n_models = n_pars = n_free = 0
    models = dataset.models
    if models is not None:
        n_models = len(models)
        params = getattr(models, "parameters", [])
        n_pars = len(params)
        n_free = len(getattr(params, "free_parameters", []))
    lines += [
        _line("Number of models", f"{n_models} "),
        _line("Number of parameters", f"{n_pars}"),
        _line("Number of free parameters", f"{n_free}"),
        "",
        "",
    ]
    text = "\n".join(lines)
    if models is not None:
        text += "  " + "\n  ".join(str(models).split("\n")[2:])
    return text
