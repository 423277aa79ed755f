"""Quick-look PNGs of reduced datasets (matplotlib, Agg backend, nothing displayed).

- maps: counts, background, excess and significance images (summed over energy in the
  safe range, correlated with a top-hat of ``correlation_radius``), with the ON region
  and the exclusion regions drawn;
- spectra: ON counts, background (α·OFF) and excess per energy bin, and the exposure
  against true energy.

Needs the optional ``plot`` extra (``pip install 'gammabin[plot]'``)."""
import numpy as np

from . import stats

__all__ = ["plot_map_dataset", "plot_spectrum_dataset", "correlate_image"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def correlate_image(image, radius_pix):
    """Sum of ``image`` over a disc of ``radius_pix`` pixels around each pixel (FFT)."""
    from scipy.signal import fftconvolve

    r = max(int(np.ceil(radius_pix)), 0)
    y, x = np.mgrid[-r:r + 1, -r:r + 1]
    kernel = (x**2 + y**2 <= radius_pix**2).astype(float)
    out = fftconvolve(np.nan_to_num(image), kernel, mode="same")
    return np.where(np.abs(out) < 1e-9, 0.0, out)  # FFT round-off around empty pixels


def _safe_image(dataset, data):
    data = np.nan_to_num(np.asarray(data, dtype=np.float64))
    if dataset.mask_safe is not None:
        data = data * np.asarray(dataset.mask_safe.data, dtype=bool)
    return data.reshape((-1,) + data.shape[-2:]).sum(axis=0)


def _images(dataset, radius_pix):
    counts = _safe_image(dataset, dataset.counts.data)
    if getattr(dataset, "counts_off", None) is not None:
        n_off = _safe_image(dataset, dataset.counts_off.data)
        background = _safe_image(dataset, dataset.background.data)
        n_on_c, n_off_c, bkg_c = (correlate_image(a, radius_pix) for a in (counts, n_off, background))
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where(n_off_c > 0, bkg_c / np.where(n_off_c > 0, n_off_c, 1), np.nan)
            significance = np.where(n_off_c > 0, stats.li_ma_significance(n_on_c, n_off_c, alpha), np.nan)
        label = "Li & Ma significance"
    else:
        background = _safe_image(dataset, dataset.npred_background().data) if dataset.background is not None \
            else np.zeros_like(counts)
        n_on_c, bkg_c = correlate_image(counts, radius_pix), correlate_image(background, radius_pix)
        with np.errstate(invalid="ignore", divide="ignore"):
            ts = 2 * (n_on_c * np.log(np.where(n_on_c > 0, n_on_c / np.where(bkg_c > 0, bkg_c, 1), 1))
                      - (n_on_c - bkg_c))
            significance = np.where(bkg_c > 0, np.sign(n_on_c - bkg_c) * np.sqrt(np.clip(ts, 0, None)), np.nan)
        label = "Cash √TS"
    excess = n_on_c - bkg_c
    return counts, background, excess, significance, label


def _draw_regions(ax, on_region, exclusion_regions):
    from astropy import units as u
    from astropy.visualization.wcsaxes import SphericalCircle

    for regions, colour, style in (([on_region] if on_region is not None else [], "white", "-"),
                                   (exclusion_regions or [], "red", "--")):
        for region in regions:
            radius = getattr(region, "radius", None)
            if radius is None:
                continue
            center = region.center.icrs
            ax.add_patch(SphericalCircle((center.ra, center.dec), u.Quantity(radius, "deg"), edgecolor=colour,
                                         facecolor="none", linestyle=style, linewidth=1.2,
                                         transform=ax.get_transform("icrs")))


def plot_map_dataset(dataset, path, on_region=None, exclusion_regions=(), title=None, correlation_radius=0.1):
    """Four panels (counts, background, correlated excess, significance) to ``path``."""
    plt = _pyplot()
    geom = dataset.counts.geom.to_image()
    radius_pix = correlation_radius / abs(float(geom.wcs.wcs.cdelt[1]))
    counts, background, excess, significance, label = _images(dataset, radius_pix)
    panels = [(counts, "counts", "viridis", None), (background, "background", "viridis", None),
              (excess, f"excess (r = {correlation_radius}°)", "RdBu_r", "sym"),
              (significance, f"{label} (r = {correlation_radius}°)", "RdBu_r", "sym")]
    fig = plt.figure(figsize=(11, 9.5))
    for index, (image, name, cmap, scale) in enumerate(panels):
        ax = fig.add_subplot(2, 2, index + 1, projection=geom.wcs)
        kwargs = {}
        if scale == "sym":
            finite = np.abs(image[np.isfinite(image)])
            vmax = float(np.percentile(finite, 99.9)) if finite.size else 1.0
            kwargs = {"vmin": -vmax, "vmax": vmax}
        shown = ax.imshow(image, origin="lower", cmap=cmap, interpolation="nearest", **kwargs)
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        _draw_regions(ax, on_region, exclusion_regions)
        ax.set_title(name)
        ax.coords[0].set_axislabel("RA" if geom.frame == "icrs" else "GLON")
        ax.coords[1].set_axislabel("Dec" if geom.frame == "icrs" else "GLAT")
    return _save(plt, fig, path, title)


def _save(plt, fig, path, title):
    """Title, layout, PNG at 80 dpi, figure closed; returns ``path``."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def plot_spectrum_dataset(dataset, path, title=None):
    """ON counts, background and excess per reco-energy bin, and exposure vs true energy."""
    plt = _pyplot()
    axis = dataset._geom.axes["energy"]
    edges = axis.edges.to_value("TeV")
    counts = np.asarray(dataset.counts.data, float).ravel()
    background = np.zeros_like(counts)
    if getattr(dataset, "counts_off", None) is not None:
        background = np.nan_to_num(np.asarray(dataset.background.data, float).ravel())
    elif dataset.background is not None:
        background = np.nan_to_num(np.asarray(dataset.npred_background().data, float).ravel())
    safe = np.ones_like(counts, bool) if dataset.mask_safe is None else np.asarray(dataset.mask_safe.data, bool).ravel()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    ax1.stairs(counts, edges, label="ON counts", color="tab:blue", linewidth=2)
    ax1.stairs(background, edges, label="background (α·OFF)", color="tab:orange", linewidth=2)
    ax1.stairs(counts - background, edges, label="excess", color="tab:green", fill=True, alpha=0.5)
    for lo, hi, ok in zip(edges[:-1], edges[1:], safe):
        if not ok:
            ax1.axvspan(lo, hi, color="grey", alpha=0.25, linewidth=0)
    ax1.set_xscale("log")
    ax1.set_xlabel("reconstructed energy [TeV]")
    ax1.set_ylabel("counts per bin")
    ax1.set_title("counts (grey: outside the safe range)")
    ax1.legend()
    if dataset.exposure is not None:
        true_edges = dataset.exposure.geom.axes["energy_true"].edges.to_value("TeV")
        exposure = np.asarray(dataset.exposure.quantity.to_value("m2 s"), float).ravel()
        ax2.stairs(exposure, true_edges, color="tab:purple", fill=True, alpha=0.6)
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        ax2.set_ylim(bottom=max(exposure[exposure > 0].min() if (exposure > 0).any() else 1.0, 1.0))
    ax2.set_xlabel("true energy [TeV]")
    ax2.set_ylabel("exposure [m² s]")
    ax2.set_title("exposure")
    return _save(plt, fig, path, title)
