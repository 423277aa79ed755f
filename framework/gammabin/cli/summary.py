"""What a reduction produced, as numbers (``summary.json``) and as a closing table.

Counts, background and excess are summed inside the safe mask; the significance is
Li & Ma (eq. 17) for ON/OFF datasets and the Cash √TS of the summed counts against
the background model otherwise.  For map datasets with an ON region the same figures
are given inside it (where a point source shows up)."""
import numpy as np

from .. import stats

__all__ = ["dataset_figures", "build_summary", "print_summary", "summary_rows"]


def _data(m):
    return None if m is None else np.asarray(m.data, dtype=np.float64)


def _safe(dataset):
    if dataset.mask_safe is None:
        return np.ones(dataset.counts.data.shape, bool)
    return np.asarray(dataset.mask_safe.data, dtype=bool)


def _safe_energy_range(dataset):
    mask = _safe(dataset)
    edges = dataset._geom.axes["energy"].edges.to_value("TeV")
    any_bin = mask.reshape(mask.shape[0], -1).any(axis=1)
    if not any_bin.any():
        return None, None
    idx = np.flatnonzero(any_bin)
    return float(edges[idx[0]]), float(edges[idx[-1] + 1])


def _significance(n_on, n_off, background, is_on_off):
    if is_on_off:
        if n_off <= 0:
            return float("nan"), "li_ma"
        alpha = background / n_off
        return float(stats.li_ma_significance(n_on, n_off, alpha)), "li_ma"
    from ..datasets.summary import cash_sqrt_ts

    if not background > 0:
        return float("nan"), "cash"
    return cash_sqrt_ts(n_on, background), "cash"


def _sums(dataset, mask):
    is_on_off = getattr(dataset, "counts_off", None) is not None
    counts = float(_data(dataset.counts)[mask].sum())
    if is_on_off:
        n_off = float(_data(dataset.counts_off)[mask].sum())
        background = float(np.nan_to_num(_data(dataset.background))[mask].sum())
    else:
        n_off = None
        bkg = dataset.npred_background() if dataset.background is not None else None
        background = float(np.nan_to_num(_data(bkg))[mask].sum()) if bkg is not None else float("nan")
    significance, method = _significance(counts, n_off or 0.0, background, is_on_off)
    figures = {"counts": counts, "background": background, "excess": counts - background,
               "significance": significance, "significance_method": method}
    if is_on_off:
        figures["counts_off"] = n_off
        figures["alpha"] = background / n_off if n_off else float("nan")
    return figures


def _livetime_s(dataset):
    try:
        value = dataset.exposure.meta.get("livetime") if dataset.exposure is not None else None
        if value is not None:
            return float(getattr(value, "to_value", lambda unit: value)("s"))
    except Exception:  # noqa: BLE001 - a summary must not fail on metadata
        pass
    gti = getattr(dataset, "gti", None)
    return float(gti.time_sum.to_value("s")) if gti is not None else float("nan")


def dataset_figures(dataset, on_region=None):
    """Scalars of one dataset (see the module docstring)."""
    mask = _safe(dataset)
    figures = {"name": dataset.name, "type": type(dataset).__name__, **_sums(dataset, mask)}
    figures["livetime_s"] = _livetime_s(dataset)
    figures["energy_min_safe_tev"], figures["energy_max_safe_tev"] = _safe_energy_range(dataset)
    figures["mask_safe_true"] = int(mask.sum())
    geom = dataset._geom
    if on_region is not None and not getattr(geom, "is_region", False):
        inside = np.asarray(geom.to_image().region_mask([on_region]).data, dtype=bool)
        figures["on_region"] = _sums(dataset, mask & inside[np.newaxis, ...] if mask.ndim == 3 else mask & inside)
    return figures


def build_summary(result, reduction):
    config = reduction.config
    report = result.report
    livetime = sum(float(obs.observation_live_time_duration.to_value("s")) for obs in reduction.observations
                   if obs.obs_id not in set(report.skipped_obs_ids))
    name, final = result.datasets[-1]
    return {
        "config": reduction.source,
        "config_origin": config.origin,
        "dataset_type": config.dataset.type,
        "background_method": "makers list" if config.makers is not None else config.background.method,
        "runs": {
            "selected": [obs.obs_id for obs in reduction.observations],
            "reduced": list(report.reduced),
            "reused": list(report.reused),
            "skipped": [{"obs_id": obs_id, "reason": reason} for obs_id, reason in report.skipped],
        },
        "backend": report.backend,
        "n_workers": report.n_workers,
        "seconds": round(result.seconds, 3),
        "livetime_s": livetime,
        "result": dataset_figures(final, reduction.on_region),
        "per_run": [dict(obs_id=obs_id, **dataset_figures(ds)) for obs_id, ds in result.per_run],
    }


def _fmt(value, spec=".1f"):
    if value is None:
        return "-"
    if isinstance(value, float) and not np.isfinite(value):
        return "nan"
    return format(value, spec)


def summary_rows(summary):
    """(label, value) rows of the closing table."""
    runs = summary["runs"]
    res = summary["result"]
    rows = [
        ("runs reduced / reused / skipped",
         f"{len(runs['reduced'])} / {len(runs['reused'])} / {len(runs['skipped'])} of {len(runs['selected'])}"),
        ("livetime", f"{summary['livetime_s'] / 3600:.3f} h ({summary['livetime_s']:.0f} s)"),
        ("dataset", f"{res['name']} ({res['type']}, background: {summary['background_method']})"),
        ("counts (safe range)", _fmt(res["counts"], ".0f")),
        ("background", _fmt(res["background"])),
        ("excess", _fmt(res["excess"])),
        (f"significance ({'Li & Ma' if res['significance_method'] == 'li_ma' else 'Cash √TS'})",
         _fmt(res["significance"], ".2f") + " σ"),
        ("safe energy range", f"{_fmt(res['energy_min_safe_tev'], '.3g')} – {_fmt(res['energy_max_safe_tev'], '.3g')} TeV"),
    ]
    on = res.get("on_region")
    if on:
        method = "Li & Ma" if on["significance_method"] == "li_ma" else "Cash √TS"
        rows.append(("ON region: counts / background / excess",
                     f"{on['counts']:.0f} / {on['background']:.1f} / {on['excess']:.1f}"))
        rows.append((f"ON region: significance ({method})", _fmt(on["significance"], ".2f") + " σ"))
    for run in summary["per_run"][:20]:
        rows.append((f"  run {run['obs_id']}",
                     f"counts {run['counts']:.0f}, excess {run['excess']:.1f}, "
                     f"{_fmt(run['significance'], '.2f')} σ, safe from {_fmt(run['energy_min_safe_tev'], '.3g')} TeV"))
    for skipped in runs["skipped"]:
        rows.append((f"  run {skipped['obs_id']} skipped", skipped["reason"]))
    rows.append(("time", f"{summary['seconds']:.2f} s ({summary['backend']}, {summary['n_workers']} worker(s))"))
    return rows


def print_summary(summary, title="gammabin reduce", file=None):
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file, width=100, highlight=False)
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("quantity", style="bold")
    table.add_column("value")
    for label, value in summary_rows(summary):
        table.add_row(label, value)
    console.print(table)
