"""``MapDatasetOnOff``: a map dataset whose background is measured in OFF regions
(``counts_off`` with the ON/OFF acceptance ratio ``alpha``), statistic WStat (spec §1.8).

Everything that does not involve the OFF maps (IRFs, masks, GTI, cutouts of the common
members, FITS layout of the common HDUs) is ``MapDataset``'s code; this module adds the
OFF maps and the rules that combine them, for any geometry:

* ``alpha = nan_to_num(acceptance / acceptance_off)`` (0/0 → 0, x/0 → 1.797e308);
* ``background = alpha · counts_off``;
* stacking: ``A = acc + acc_o·w``, ``OFF = off + off_o·w``, ``S = α·off + α_o·off_o·w``,
  ``acceptance_off = A·OFF/S`` (where OFF = 0: ``A·ΣOFF/ΣS``).

``SpectrumDatasetOnOff`` is this class on a ``RegionGeom``; it only overrides how one
OFF map is added into the stacked totals (``_add_into_total``)."""
import numpy as np

from gammabin import stats
from gammabin.irf.irf_map import add_into

from . import fits_io, reshaping, summary
from .core import make_name
from .map_dataset import MapDataset

__all__ = ["MapDatasetOnOff"]

_OFF_MAPS = ("counts_off", "acceptance", "acceptance_off")


def _map(geom, data, unit=""):
    from gammabin.maps import Map

    return Map.from_geom(geom, data=data, unit=unit)


def _data(m):
    return None if m is None else np.asarray(m.data)


class MapDatasetOnOff(MapDataset):
    """Map dataset with ON and OFF counts and acceptances (gammapy-compatible)."""

    tag = "MapDatasetOnOff"
    _extra_maps = _OFF_MAPS  # cut out / resampled alongside the common maps (reshaping)
    _map_members = ("counts", "exposure", "mask_safe", "mask_fit") + _OFF_MAPS

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
            models=models, counts=counts, exposure=exposure, psf=psf, edisp=edisp,
            mask_safe=mask_safe, mask_fit=mask_fit, gti=gti, meta_table=meta_table,
            name=name, meta=meta, stat_type=stat_type,
        )

    # ``MapDataset.__init__`` assigns ``background``; for ON/OFF it is derived (α·n_off)
    @property
    def background(self):
        """``alpha × counts_off`` (None without OFF counts or acceptances)."""
        alpha = self.alpha
        if alpha is None or self.counts_off is None:
            return None
        return _map(self._geom, alpha.data * np.asarray(self.counts_off.data, dtype=np.float64))

    @background.setter
    def background(self, value):
        if value is not None:
            raise AttributeError(f"{type(self).__name__}.background is alpha * counts_off; set counts_off instead")

    @property
    def _geom(self):
        for m in (self.counts, self.counts_off, self.acceptance, self.acceptance_off, self.mask_safe, self.mask_fit):
            if m is not None:
                return m.geom
        raise ValueError("Either 'counts', 'counts_off', 'acceptance' or 'acceptance_of' must be defined.")

    @property
    def alpha(self):
        """``acceptance / acceptance_off`` then ``nan_to_num`` (0/0 → 0, x/0 → 1.797e308);
        None without acceptances."""
        if self.acceptance is None or self.acceptance_off is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.asarray(self.acceptance.data, dtype=float) / np.asarray(self.acceptance_off.data, dtype=float)
        return _map(self._geom, np.nan_to_num(ratio))

    # --- predictions -----------------------------------------------------------------
    def npred_background(self):
        """WStat-profiled background ``α·μ_bkg`` (NaN → 0); ``α(n_on+n_off)/(1+α)`` without models."""
        alpha = self.alpha.data
        mu_bkg = stats.wstat_mu_bkg(_data(self.counts), _data(self.counts_off), alpha, self.npred_signal().data)
        with np.errstate(invalid="ignore"):
            return _map(self._geom, np.nan_to_num(alpha * mu_bkg))

    def npred_off(self):
        with np.errstate(invalid="ignore", divide="ignore"):
            return _map(self._geom, self.npred_background().data / self.alpha.data)

    def stat_array(self):
        """WStat per bin (NaN → 0)."""
        return np.nan_to_num(
            stats.wstat(_data(self.counts), _data(self.counts_off), self.alpha.data, self.npred_signal().data)
        )

    def stat_sum(self):
        stat = self.stat_array()
        mask = self.mask
        return float(np.sum(stat[np.asarray(mask.data, dtype=bool)] if mask is not None else stat))

    # --- construction --------------------------------------------------------------
    @classmethod
    def from_geoms(cls, geom, geom_exposure=None, geom_psf=None, geom_edisp=None,
                   reference_time="2000-01-01", name=None, **kwargs):
        """``MapDataset.from_geoms`` members plus float32 zero OFF maps."""
        from . import create as _create

        members = _create.empty_maps(geom, geom_exposure, geom_psf, geom_edisp, reference_time)
        members.pop("background")
        for key in _OFF_MAPS:
            members[key] = _map(geom, np.zeros(geom.data_shape, dtype="float32"))
        members.update(kwargs)
        return cls(name=name, **members)

    @classmethod
    def from_map_dataset(cls, dataset, acceptance, acceptance_off, counts_off=None, name=None):
        """ON/OFF dataset sharing ``dataset``'s members; scalar acceptances become constant
        maps; without ``counts_off`` they are ``npred_background / alpha``."""
        geom = dataset._geom

        def as_map(value):
            if value is None or hasattr(value, "geom"):
                return value
            return _map(geom, np.full(geom.data_shape, value))

        acc, acc_off, counts_off = as_map(acceptance), as_map(acceptance_off), as_map(counts_off)
        if counts_off is None and dataset.background is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                alpha = np.asarray(acc.data, float) / np.asarray(acc_off.data, float)
                counts_off = _map(geom, dataset.npred_background().data / alpha)
        return cls(
            models=dataset.models, counts=dataset.counts, exposure=dataset.exposure, counts_off=counts_off,
            edisp=dataset.edisp, psf=dataset.psf, mask_safe=dataset.mask_safe, mask_fit=dataset.mask_fit,
            acceptance=acc, acceptance_off=acc_off, gti=dataset.gti, name=name, meta_table=dataset.meta_table,
        )

    def to_map_dataset(self, name=None):
        """Cash dataset with background ``α·counts_off`` (members shared)."""
        return self._to_cash_dataset(MapDataset, name)

    def _to_cash_dataset(self, cls, name):
        return cls(
            counts=self.counts, exposure=self.exposure, psf=self.psf, edisp=self.edisp,
            name=make_name() if name is None else name, gti=self.gti, mask_fit=self.mask_fit,
            mask_safe=self.mask_safe, background=self.background, meta_table=self.meta_table,
            meta=self.meta,
        )

    # --- stacking ----------------------------------------------------------------------
    def _is_stackable(self):
        incomplete = any(getattr(self, key) is None for key in _OFF_MAPS)
        has_safe = self.mask_safe is None or bool(np.any(self.mask_safe.data))
        return not (incomplete and has_safe)

    def stack(self, other, nan_to_num=True):
        """Stack ``other`` in place: acceptances and OFF counts add with ``other``'s safe
        mask as weight; ``acceptance_off`` is rescaled so that the stacked alpha is the
        OFF-weighted mean of the alphas (global mean where no OFF counts)."""
        if not isinstance(other, MapDatasetOnOff):
            raise TypeError(f"Incompatible types for {type(self).__name__} stacking: {type(other).__name__}")
        if not self._is_stackable() or not other._is_stackable():
            raise ValueError(f"Cannot stack incomplete {type(self).__name__}.")
        geom = self.counts.geom
        weights = _data(other.mask_safe)
        totals = {key: _map(geom, np.zeros(geom.data_shape, dtype="float32")) for key in ("acc", "off", "alpha_off")}
        self._add_into_total(totals["acc"], self.acceptance, None, nan_to_num)
        self._add_into_total(totals["acc"], other.acceptance, weights, nan_to_num)
        for dataset, w in ((self, None), (other, weights)):
            if dataset.counts_off is not None:
                off = dataset.counts_off
                self._add_into_total(totals["off"], off, w, nan_to_num)
                alpha_off = _map(off.geom, dataset.alpha.data * _data(off))
                self._add_into_total(totals["alpha_off"], alpha_off, w, nan_to_num)
        acc, off, alpha_off = (totals[k].data for k in ("acc", "off", "alpha_off"))
        with np.errstate(divide="ignore", invalid="ignore"):
            acceptance_off = acc * off / alpha_off
            mean_alpha = alpha_off.sum() / off.sum()
            empty = off == 0
            acceptance_off[empty] = acc[empty] / mean_alpha
        self.acceptance.data[...] = acc
        self.acceptance_off = _map(geom, acceptance_off)
        self.counts_off = totals["off"]
        super().stack(other, nan_to_num=nan_to_num)

    @staticmethod
    def _add_into_total(total, m, weights, nan_to_num):
        """Add map ``m`` (times ``weights`` on its pixels) into ``total``: gammapy's
        ``Map.stack`` on the aligned overlap of the two WCS grids."""
        add_into(total, m.data, m.unit, m.geom, weights, nan_to_num)

    # --- reshaping ------------------------------------------------------------------------
    def resample_energy_axis(self, energy_axis, name=None):
        """Counts, OFF counts and acceptance summed with safe-mask weights;
        ``acceptance_off = acceptance · counts_off / (resampled α·counts_off)``."""
        dataset = reshaping.resample_energy_axis(self, energy_axis, name=name)
        if self.acceptance is not None and self.counts_off is not None:
            norm = reshaping.resample_map_axis(self.background, energy_axis, self.mask_safe)
            with np.errstate(divide="ignore", invalid="ignore"):
                data = dataset.acceptance.data * dataset.counts_off.data / norm.data
            dataset.acceptance_off = _map(dataset._geom, data)
        return dataset

    def to_image(self, name=None):
        return self.resample_energy_axis(self._geom.axes["energy"].squash(), name=name)

    def to_masked(self, name=None, nan_to_num=True):
        dataset = self.__class__.from_geoms(**self.geoms, name=name)
        dataset.stack(self, nan_to_num=nan_to_num)
        return dataset

    def pad(self, *args, **kwargs):
        raise NotImplementedError("pad is not implemented for MapDatasetOnOff")

    # --- summaries -------------------------------------------------------------------------
    def info_dict(self, in_safe_data_range=True):
        """``MapDataset`` summary with WStat excess/sqrt_ts on the sums, plus counts_off,
        acceptance, acceptance_off and the OFF-weighted alpha ``Σα·n_off / Σn_off``."""
        info = summary.info_dict(self, in_safe_data_range)
        mask = slice(None)
        if self.mask_safe is not None and in_safe_data_range:
            mask = np.asarray(self.mask_safe.data, dtype=bool)
        n_on = float(np.sum(_data(self.counts)[mask])) if self.counts is not None else 0.0
        n_off = float(np.sum(_data(self.counts_off)[mask])) if self.counts_off is not None else 0.0
        background = self.background
        n_bkg = float(np.sum(_data(background)[mask])) if background is not None else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = n_bkg / n_off if n_off else np.nan
        info["background"] = n_bkg
        info["excess"] = float(stats.excess(n_on, n_off, alpha)) if n_off else n_on
        info["sqrt_ts"] = float(stats.wstat_sqrt_ts(n_on, n_off, alpha))
        info["counts_off"] = int(n_off)
        acceptance = float(np.sum(_data(self.acceptance)[mask])) if self.acceptance is not None else 1.0
        info["acceptance"] = acceptance
        info["acceptance_off"] = acceptance / alpha if self.acceptance_off is not None else np.nan
        info["alpha"] = alpha if self.acceptance_off is not None else np.nan
        info["stat_sum"] = self.stat_sum() if self.counts is not None and background is not None else np.nan
        for key in ("counts", "background", "excess"):
            info[f"{key}_rate"] = info[key] / info["livetime"]
        return info

    def excess_map(self):
        """``counts − alpha·counts_off`` per bin."""
        return _map(self._geom, stats.excess(_data(self.counts), _data(self.counts_off), self.alpha.data))

    def significance_map(self):
        """Li & Ma (1983, eq. 17) significance per bin, signed by the excess."""
        return _map(self._geom, stats.li_ma_significance(_data(self.counts), _data(self.counts_off), self.alpha.data))

    def __str__(self):
        text = summary.dataset_str(self)
        mask = slice(None) if self.mask_safe is None else np.asarray(self.mask_safe.data, dtype=bool)
        for label, m in (("Total counts_off", self.counts_off), ("Acceptance", self.acceptance),
                         ("Acceptance off", self.acceptance_off)):
            value = np.nan if m is None else np.sum(_data(m)[mask])
            text += "  " + label.ljust(32) + f": {value:.0f} \n"
        return text

    # --- I/O -------------------------------------------------------------------------------
    def to_hdulist(self):
        """gadf layout: no BACKGROUND; COUNTS_OFF, ACCEPTANCE, ACCEPTANCE_OFF after META_TABLE."""
        extra = [(key, getattr(self, key)) for key in _OFF_MAPS]
        return fits_io.dataset_to_hdulist(self, extra_maps=extra)

    @classmethod
    def from_hdulist(cls, hdulist, name=None, lazy=False, format="gadf"):
        return fits_io.dataset_from_hdulist(cls, hdulist, name=name, format=format,
                                            **{key: key for key in _OFF_MAPS})

    @classmethod
    def read(cls, filename, name=None, lazy=False, cache=True, format="gadf", checksum=False):
        if lazy:
            raise NotImplementedError("Lazy loading is not implemented for MapDatasetOnOff, use lazy=False.")
        return fits_io.read_dataset(cls, filename, name=name, format=format, checksum=checksum)
