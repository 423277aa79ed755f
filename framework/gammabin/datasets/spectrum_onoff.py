"""``SpectrumDatasetOnOff``: ON counts with OFF counts and their acceptances (spec §1.8–§1.9).

The ON/OFF rules here are written on arrays and do not depend on the geometry
(``MapDatasetOnOff`` reuses ``onoff_alpha``, ``onoff_info`` and the summary text):

* ``alpha = nan_to_num(acceptance / acceptance_off)`` (0/0 → 0, x/0 → 1.797e308);
* ``background = alpha · counts_off``;
* stacking: ``A = acc + acc_o·w``, ``OFF = off + off_o·w``, ``S = α·off + α_o·off_o·w``,
  ``acceptance_off = A·OFF/S`` (where OFF = 0: ``A·ΣOFF/ΣS``), float32.  Computed on
  plain arrays, so each run's OFF maps may live on their own OFF-region geometry.
"""
import numpy as np

from gammabin import stats
from gammabin.irf.irf_map import copy_map

from . import ogip, stacking, summary
from .spectrum_dataset import SpectrumDataset, require_region_geom

__all__ = ["SpectrumDatasetOnOff", "onoff_alpha", "stack_onoff_maps", "onoff_info"]


def onoff_alpha(acceptance, acceptance_off):
    """Per-bin ``nan_to_num(acceptance / acceptance_off)`` as float64."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(acceptance, dtype=np.float64) / np.asarray(acceptance_off, dtype=np.float64)
    return np.nan_to_num(ratio)


def _data(m, shape):
    return np.zeros(shape) if m is None else np.nan_to_num(np.asarray(m.data, dtype=np.float64))


def stack_onoff_maps(self, other):
    """New (counts_off, acceptance, acceptance_off) arrays of ``self`` stacked with
    ``other`` (weights: other's safe mask), in the receiver's counts dtype."""
    shape = self.counts.data.shape if self.counts is not None else self._geom.data_shape
    dtype = self.counts.data.dtype if self.counts is not None else np.float32
    w = np.ones(shape) if other.mask_safe is None else np.asarray(other.mask_safe.data, dtype=np.float64)
    has_safe = other.mask_safe is None or bool(np.any(other.mask_safe.data))
    if has_safe and (other.counts_off is None or other.acceptance is None or other.acceptance_off is None):
        raise ValueError(f"Dataset {other.name!r}: stacking ON/OFF needs counts_off, acceptance and acceptance_off")
    off_self, off_o = _data(self.counts_off, shape), _data(other.counts_off, shape)
    acc_self, acc_o = _data(self.acceptance, shape), _data(other.acceptance, shape)
    alpha_self = onoff_alpha(acc_self, _data(self.acceptance_off, shape))
    alpha_o = onoff_alpha(acc_o, _data(other.acceptance_off, shape))
    acceptance = acc_self + acc_o * w
    counts_off = off_self + off_o * w
    scaled_off = alpha_self * off_self + alpha_o * off_o * w
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_alpha = scaled_off.sum() / counts_off.sum()
        acceptance_off = np.where(counts_off > 0, acceptance * counts_off / scaled_off, acceptance / mean_alpha)
    acceptance_off = np.nan_to_num(acceptance_off)
    return counts_off.astype(dtype), acceptance.astype(dtype), acceptance_off.astype(dtype)


def onoff_info(dataset, info, mask):
    """ON/OFF entries of ``info_dict`` (summed WStat counts in ``mask``)."""
    n_on = float(np.sum(dataset.counts.data[mask])) if dataset.counts is not None else 0.0
    n_off = float(np.sum(dataset.counts_off.data[mask])) if dataset.counts_off is not None else 0.0
    alpha_map = dataset.alpha
    has_off = alpha_map is not None and dataset.counts_off is not None
    n_bkg = float(np.sum((alpha_map.data * dataset.counts_off.data)[mask])) if has_off else 0.0
    alpha = n_bkg / n_off if n_off else np.nan
    info["background"] = n_bkg
    info["excess"] = n_on - n_bkg
    info["sqrt_ts"] = float(stats.wstat_sqrt_ts(n_on, n_off, alpha))
    info["counts_off"] = int(n_off)
    acceptance = float(np.sum(dataset.acceptance.data[mask])) if dataset.acceptance is not None else 1.0
    info["acceptance"] = acceptance
    info["acceptance_off"] = float(acceptance / alpha) if dataset.acceptance_off is not None else np.nan
    info["alpha"] = float(alpha) if dataset.acceptance_off is not None else np.nan
    info["stat_sum"] = dataset.stat_sum() if has_off and dataset.counts is not None else np.nan
    return info


def onoff_str(dataset):
    """Dataset summary text plus the ``Total counts_off`` / ``Acceptance`` / ``Acceptance off`` lines."""
    text = summary.dataset_str(dataset)
    mask = slice(None) if dataset.mask_safe is None else np.asarray(dataset.mask_safe.data, dtype=bool)
    for label, key in (("Total counts_off", "counts_off"), ("Acceptance", "acceptance"), ("Acceptance off", "acceptance_off")):
        m = getattr(dataset, key)
        value = np.nan if m is None else np.sum(m.data[mask])
        text += "  " + label.ljust(32) + ": " + f"{value:.0f} \n"
    return text


class SpectrumDatasetOnOff(SpectrumDataset):
    """Spectrum dataset with OFF counts; WStat statistic."""

    tag = "SpectrumDatasetOnOff"
    _extra_maps = ("counts_off", "acceptance", "acceptance_off")

    def __init__(
        self,
        models=None,
        counts=None,
        counts_off=None,
        acceptance=None,
        acceptance_off=None,
        exposure=None,
        mask_fit=None,
        psf=None,
        edisp=None,
        name=None,
        mask_safe=None,
        gti=None,
        meta_table=None,
        meta=None,
        stat_type="wstat",
    ):
        self.counts_off = counts_off
        self.acceptance = acceptance
        self.acceptance_off = acceptance_off
        super().__init__(
            models=models, counts=counts, exposure=exposure, psf=psf, edisp=edisp, mask_safe=mask_safe,
            mask_fit=mask_fit, gti=gti, meta_table=meta_table, name=name, meta=meta, stat_type=stat_type,
        )

    # --- derived maps ------------------------------------------------------------------
    @property
    def _geom(self):
        for m in (self.counts, self.counts_off, self.acceptance, self.acceptance_off, self.mask_safe):
            if m is not None:
                return m.geom
        raise ValueError("Either 'counts', 'counts_off', 'acceptance' or 'acceptance_of' must be defined.")

    @property
    def alpha(self):
        """``nan_to_num(acceptance / acceptance_off)`` on the counts geometry."""
        from gammabin.maps import Map

        if self.acceptance is None or self.acceptance_off is None:
            return None
        return Map.from_geom(self._geom, data=onoff_alpha(self.acceptance.data, self.acceptance_off.data))

    @property
    def background(self):
        """``alpha · counts_off`` (None without OFF counts)."""
        from gammabin.maps import Map

        alpha = self.alpha
        if alpha is None or self.counts_off is None:
            return None
        return Map.from_geom(self._geom, data=alpha.data * np.asarray(self.counts_off.data, dtype=np.float64))

    @background.setter
    def background(self, value):
        if value is not None:
            raise AttributeError("SpectrumDatasetOnOff.background is alpha · counts_off; set counts_off instead")

    def npred_background(self):
        """WStat profile ``α·μ_bkg`` (without models: ``α(n_on + n_off)/(1 + α)``), NaN → 0."""
        from gammabin.maps import Map

        alpha = self.alpha.data
        mu_bkg = stats.wstat_mu_bkg(self.counts.data, self.counts_off.data, alpha, self.npred_signal().data)
        return Map.from_geom(self._geom, data=np.nan_to_num(alpha * mu_bkg))

    def npred_off(self):
        from gammabin.maps import Map

        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.nan_to_num(self.npred_background().data / self.alpha.data)
        return Map.from_geom(self._geom, data=data)

    def stat_array(self):
        return stats.wstat(self.counts.data, self.counts_off.data, self.alpha.data, self.npred_signal().data)

    def stat_sum(self):
        stat = self.stat_array()
        mask = self.mask
        if mask is not None:
            stat = stat[np.asarray(mask.data, dtype=bool)]
        return float(np.sum(stat, dtype=np.float64))

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_geoms(cls, geom, geom_exposure=None, geom_psf=None, geom_edisp=None, reference_time="2000-01-01", name=None, **kwargs):
        """Empty float32 dataset with zero ``counts_off``, ``acceptance``, ``acceptance_off``."""
        from gammabin.maps import Map

        from . import create as _create

        members = _create.empty_maps(geom, geom_exposure, geom_psf, geom_edisp, reference_time)
        members.pop("background", None)
        for key in cls._extra_maps:
            members[key] = Map.from_geom(geom, dtype="float32")
        members.update(kwargs)
        return cls(name=name, **members)

    @classmethod
    def from_spectrum_dataset(cls, dataset, acceptance, acceptance_off, counts_off=None, name=None):
        """ON/OFF dataset sharing ``dataset``'s members; scalars become constant maps;
        ``counts_off`` None with a background → ``npred_background / alpha``."""
        from gammabin.maps import Map

        geom = dataset.counts.geom

        def as_map(value):
            if value is None or hasattr(value, "geom"):
                return value
            return Map.from_geom(geom, data=np.full(geom.data_shape, value))

        acceptance, acceptance_off = as_map(acceptance), as_map(acceptance_off)
        if counts_off is None and dataset.background is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                counts_off = dataset.npred_background().data / (np.asarray(acceptance.data, float) / np.asarray(acceptance_off.data, float))
        return cls(
            models=dataset.models, counts=dataset.counts, counts_off=as_map(counts_off), acceptance=acceptance,
            acceptance_off=acceptance_off, exposure=dataset.exposure, mask_fit=dataset.mask_fit, psf=dataset.psf,
            edisp=dataset.edisp, name=name if name is not None else dataset.name, mask_safe=dataset.mask_safe,
            gti=dataset.gti, meta_table=dataset.meta_table, meta=dataset.meta,
        )

    from_map_dataset = from_spectrum_dataset

    def to_spectrum_dataset(self, name=None):
        """Cash dataset with ``background = alpha · counts_off``."""
        return SpectrumDataset(
            counts=self.counts, exposure=self.exposure, background=self.background, psf=self.psf, edisp=self.edisp,
            mask_safe=self.mask_safe, mask_fit=self.mask_fit, gti=self.gti, meta_table=self.meta_table,
            name=name, meta=self.meta,
        )

    def copy(self, name=None):
        new = super().copy(name=name)
        for key in self._extra_maps:
            setattr(new, key, copy_map(getattr(self, key)))
        return new

    # --- stacking ------------------------------------------------------------------------------
    def stack(self, other, nan_to_num=True):
        """ON/OFF stack (spec §1.8): OFF maps and acceptances first, then MapDataset.stack."""
        from gammabin.maps import Map

        if not isinstance(other, SpectrumDatasetOnOff):
            raise TypeError(f"Incompatible types for SpectrumDatasetOnOff stacking: {type(other).__name__}")
        counts_off, acceptance, acceptance_off = stack_onoff_maps(self, other)
        geom = self._geom
        self.counts_off = Map.from_geom(geom, data=counts_off)
        self.acceptance = Map.from_geom(geom, data=acceptance)
        self.acceptance_off = Map.from_geom(geom, data=acceptance_off)
        stacking.stack_datasets(self, other, nan_to_num=nan_to_num)

    # --- summaries ----------------------------------------------------------------------------------
    def info_dict(self, in_safe_data_range=True):
        info = summary.info_dict(self, in_safe_data_range)
        mask = slice(None)
        if self.mask_safe is not None and in_safe_data_range:
            mask = np.asarray(self.mask_safe.data, dtype=bool)
        return onoff_info(self, info, mask)

    def __str__(self):
        return onoff_str(self)

    # --- I/O ----------------------------------------------------------------------------------------
    def to_hdulist(self):
        from .fits_io import dataset_to_hdulist

        return dataset_to_hdulist(self, extra_maps=[(k, getattr(self, k)) for k in self._extra_maps])

    def write(self, filename, overwrite=False, format="gadf", checksum=False):
        """``gadf`` (dataset FITS layout with region maps) or ``ogip``/``ogip-sherpa``."""
        if format == "gadf":
            super().write(filename, overwrite=overwrite, checksum=checksum)
        elif format in ("ogip", "ogip-sherpa"):
            ogip.write_ogip(self, filename, overwrite=overwrite, format=format, checksum=checksum)
        else:
            raise ValueError(f"{format!r} is not a valid format: expected 'gadf', 'ogip' or 'ogip-sherpa'")

    @classmethod
    def from_hdulist(cls, hdulist, name=None, lazy=False, format="gadf"):
        from .fits_io import dataset_from_hdulist

        return dataset_from_hdulist(cls, hdulist, name=name, format=format, **{k: k for k in cls._extra_maps})

    @classmethod
    def read(cls, filename, format=None, checksum=False, name=None, **kwargs):
        """OGIP PHA (+ ARF, BKG, RMF) or the gadf dataset layout (format guessed)."""
        if format is None:
            format = ogip.guess_format(filename)
        if format == "ogip":
            members = ogip.read_ogip(filename, checksum=checksum)
            if name is not None:
                members["name"] = name
            return cls(**members)
        if format == "gadf":
            return super().read(filename, name=name, format=format, checksum=checksum)
        raise ValueError(f"{filename}: unknown format {format!r} (expected 'ogip' or 'gadf')")
