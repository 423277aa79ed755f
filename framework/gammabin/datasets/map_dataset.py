"""``MapDataset``: counts, exposure, background, PSF and EDISP maps, masks, GTI and run
meta table on one sky geometry (spec §1.2)."""
import copy as _copy

import numpy as np

from gammabin.irf.edisp_map import EDispKernelMap, EDispMap
from gammabin.irf.irf_map import copy_map as _copy_map
from gammabin.irf.psf_map import PSFMap

from . import create as _create
from . import fits_io, reshaping, stacking, summary
from .core import Dataset, make_name

__all__ = ["MapDataset"]


def _copy_irf(irf):
    return None if irf is None else irf.copy()


class MapDataset(Dataset):
    """Binned dataset for 3-D (sky + energy) analyses, gammapy-compatible."""

    tag = "MapDataset"
    # maps deep-copied by ``copy`` (ON/OFF datasets list their own)
    _map_members = ("counts", "exposure", "background", "mask_safe", "mask_fit")

    def __init__(
        self,
        models=None,
        counts=None,
        exposure=None,
        background=None,
        psf=None,
        edisp=None,
        mask_safe=None,
        mask_fit=None,
        gti=None,
        meta_table=None,
        name=None,
        meta=None,
        stat_type="cash",
    ):
        self._name = make_name() if name is None else name
        if psf is not None and not isinstance(psf, PSFMap):
            raise ValueError(f"'psf' must be a 'PSFMap' or `HDULocation` object, got {type(psf)}")
        if edisp is not None and not isinstance(edisp, (EDispMap, EDispKernelMap)):
            raise ValueError(f"'edisp' must be a 'EDispMap', `EDispKernelMap` or 'HDULocation' object, got {type(edisp)}")
        self.counts = counts
        self.exposure = exposure
        self.background = background
        self.psf = psf
        self.edisp = edisp
        self.mask_safe = mask_safe
        self.mask_fit = mask_fit
        self.gti = gti
        self.meta_table = meta_table
        self.meta = {} if meta is None else meta
        self.stat_type = stat_type
        self.models = models

    # --- construction --------------------------------------------------------------
    @classmethod
    def create(
        cls,
        geom,
        energy_axis_true=None,
        migra_axis=None,
        rad_axis=None,
        binsz_irf=None,
        reference_time="2000-01-01",
        name=None,
        meta_table=None,
        reco_psf=False,
        **kwargs,
    ):
        """Empty dataset on ``geom`` (spec §1.3): IRF maps on ``geom`` re-pixelised to
        ``binsz_irf`` (default 0.2 deg), 66 ``rad`` bins up to 0.66 deg, an
        ``EDispKernelMap`` (or ``EDispMap`` when ``migra_axis`` is given).

        ``energy_axis_true`` defaults to a copy of the reco axis renamed ``energy_true``;
        an axis named ``energy`` is used through a renamed copy (gammapy 2.1 raises);
        any other name raises ValueError.

        Memory rule: the IRF maps and their exposure maps are backed by read-only
        broadcast views of a small array, materialised only when written to or stacked
        into; projection validity is tested on the 2-D image only.  ``create`` on the
        default all-sky 0.5° geometry therefore returns in seconds, well under 1 GB.
        """
        geoms = _create.create_geoms(
            geom,
            energy_axis_true=energy_axis_true,
            migra_axis=migra_axis,
            rad_axis=rad_axis,
            binsz_irf=binsz_irf,
            reco_psf=reco_psf,
        )
        return cls.from_geoms(
            **geoms, reference_time=reference_time, name=name, meta_table=meta_table, **kwargs
        )

    @classmethod
    def from_geoms(
        cls,
        geom,
        geom_exposure=None,
        geom_psf=None,
        geom_edisp=None,
        reference_time="2000-01-01",
        name=None,
        **kwargs,
    ):
        """Empty dataset from explicit geometries (float32 zeros, all-False safe mask)."""
        members = _create.empty_maps(geom, geom_exposure, geom_psf, geom_edisp, reference_time)
        members.update(kwargs)
        return cls(name=name, **members)

    # --- members ---------------------------------------------------------------------
    @property
    def _geom(self):
        for m in (self.counts, self.background, self.mask_safe, self.mask_fit):
            if m is not None:
                return m.geom
        raise ValueError("Either 'counts', 'background', 'mask_fit' or 'mask_safe' must be defined.")

    @property
    def geoms(self):
        geoms = {"geom": self._geom}
        if self.exposure is not None:
            geoms["geom_exposure"] = self.exposure.geom
        if self.psf is not None:
            geoms["geom_psf"] = self.psf.psf_map.geom
        if self.edisp is not None:
            geoms["geom_edisp"] = self.edisp.edisp_map.geom
        return geoms

    @property
    def models(self):
        return self._models

    @models.setter
    def models(self, value):
        self._models = value

    @property
    def background_model(self):
        """The dataset's FoV background model, if its models hold one."""
        if not self._models:
            return None
        for model in self._models:
            if type(model).__name__ == "FoVBackgroundModel":
                names = getattr(model, "datasets_names", None)
                if names is None or self.name in names:
                    return model
        return None

    @property
    def mask_safe_image(self):
        from gammabin.maps import Map

        image = stacking.mask_safe_image(self)
        return None if image is None else Map.from_geom(self.mask_safe.geom.to_image(), data=image)

    @property
    def mask_fit_image(self):
        from gammabin.maps import Map

        if self.mask_fit is None:
            return None
        data = np.asarray(self.mask_fit.data, dtype=bool)
        return Map.from_geom(self.mask_fit.geom.to_image(), data=data.reshape((-1,) + data.shape[-2:]).any(0))

    @property
    def mask_image(self):
        from gammabin.maps import Map

        mask = self.mask
        if mask is None:
            return Map.from_geom(self._geom.to_image(), data=np.ones(self._geom.data_shape[-2:], bool))
        data = np.asarray(mask.data, dtype=bool)
        return Map.from_geom(mask.geom.to_image(), data=data.reshape((-1,) + data.shape[-2:]).any(0))

    @property
    def mask_safe_psf(self):
        return stacking.mask_safe_psf(self)

    @property
    def mask_safe_edisp(self):
        return stacking.mask_safe_edisp(self)

    # --- energy ranges ---------------------------------------------------------------
    def _energy_range(self, mask_map=None):
        from gammabin.maps import Map

        geom = self._geom
        axis = geom.axes["energy"]
        edges = axis.edges
        shape = geom.data_shape[-2:]
        if mask_map is None:
            lo = np.full(shape, edges[0].value)
            hi = np.full(shape, edges[-1].value)
        else:
            m = np.asarray(mask_map.data, dtype=bool)
            m = m.reshape((-1, axis.nbin) + m.shape[-2:])[0]
            any_ = m.any(axis=0)
            first = np.argmax(m, axis=0)
            last = axis.nbin - 1 - np.argmax(m[::-1], axis=0)
            lo = np.where(any_, edges[:-1].value[first], np.nan)
            hi = np.where(any_, edges[1:].value[last], np.nan)
        image = geom.to_image()
        return Map.from_geom(image, data=lo, unit=edges.unit), Map.from_geom(image, data=hi, unit=edges.unit)

    @property
    def energy_range(self):
        return self._energy_range(self.mask)

    @property
    def energy_range_safe(self):
        return self._energy_range(self.mask_safe)

    @property
    def energy_range_fit(self):
        return self._energy_range(self.mask_fit)

    @property
    def energy_range_total(self):
        lo, hi = self.energy_range
        return np.nanmin(lo.quantity), np.nanmax(hi.quantity)

    # --- predictions -----------------------------------------------------------------
    def npred_background(self):
        """Background map × the FoV background model (reco-bin centres) if set."""
        model = self.background_model
        if model is None or self.background is None:
            return self.background
        from gammabin.maps import Map

        values = model.evaluate_geom(self.background.geom)
        return Map.from_geom(self.background.geom, data=self.background.data * np.asarray(values), unit=self.background.unit)

    def npred_signal(self, model_names=None, stack=True):
        """Predicted signal counts: 0 without source models."""
        from gammabin.maps import Map

        return Map.from_geom(self._geom, data=np.zeros(self._geom.data_shape), unit="")

    def npred(self):
        """``npred_signal + npred_background``, float64, negatives set to 0."""
        from gammabin.maps import Map

        total = np.zeros(self._geom.data_shape)
        total += self.npred_signal().data
        background = self.npred_background()
        if background is not None:
            total += background.data
        return Map.from_geom(self._geom, data=np.clip(total, 0, None), unit="")

    # --- summaries -------------------------------------------------------------------
    def info_dict(self, in_safe_data_range=True):
        return summary.info_dict(self, in_safe_data_range)

    def __str__(self):
        return summary.dataset_str(self)

    # --- operations ------------------------------------------------------------------
    def stack(self, other, nan_to_num=True):
        """Stack ``other`` into this dataset in place (spec §1.4)."""
        stacking.stack_datasets(self, other, nan_to_num=nan_to_num)

    def copy(self, name=None):
        """Copy with a new (random unless given) name; models dropped; lazy storage shared."""
        new = _copy.copy(self)
        new._name = make_name() if name is None else name
        new._models = None
        for attr in self._map_members:
            setattr(new, attr, _copy_map(getattr(self, attr)))
        new.psf, new.edisp = _copy_irf(self.psf), _copy_irf(self.edisp)
        new.gti = None if self.gti is None else self.gti.copy()
        new.meta_table = None if self.meta_table is None else self.meta_table.copy()
        new.meta = _copy.deepcopy(self.meta)
        return new

    def cutout(self, position, width, mode="trim", name=None):
        return reshaping.cutout(self, position, width, mode=mode, name=name)

    def to_masked(self, name=None, nan_to_num=True):
        """``from_geoms(**geoms)`` + ``stack(self)``: a float32 copy with masks applied."""
        dataset = self.__class__.from_geoms(**self.geoms, name=name)
        dataset.stack(self, nan_to_num=nan_to_num)
        return dataset

    def resample_energy_axis(self, energy_axis, name=None):
        return reshaping.resample_energy_axis(self, energy_axis, name=name)

    def to_image(self, name=None):
        return reshaping.to_image(self, name=name)

    def reset_data_cache(self):
        """Nothing is read lazily yet: members are always in memory."""

    # --- I/O ---------------------------------------------------------------------------
    def to_hdulist(self):
        return fits_io.dataset_to_hdulist(self)

    def write(self, filename, overwrite=False, checksum=False):
        fits_io.write_dataset(self, filename, overwrite=overwrite, checksum=checksum)

    @classmethod
    def from_hdulist(cls, hdulist, name=None, lazy=False, format="gadf"):
        return fits_io.dataset_from_hdulist(cls, hdulist, name=name, format=format)

    @classmethod
    def read(cls, filename, name=None, lazy=False, cache=True, format="gadf", checksum=False):
        return fits_io.read_dataset(cls, filename, name=name, format=format, checksum=checksum)
