"""``SpectrumDatasetOnOff``: a ``MapDatasetOnOff`` on a ``RegionGeom`` (spec §1.8–§1.9).

All ON/OFF rules (alpha, WStat background and statistic, stacking, summaries) are
``MapDatasetOnOff``'s.  What differs here: each run's OFF maps live on that run's own
OFF-region geometry, so stacking adds them bin by bin instead of on aligned WCS grids;
OGIP I/O; the ``from_spectrum_dataset`` / ``to_spectrum_dataset`` names.
"""
import numpy as np
from astropy import units as u

from . import ogip
from .map_dataset_onoff import MapDatasetOnOff
from .spectrum_dataset import SpectrumDataset

__all__ = ["SpectrumDatasetOnOff"]


class SpectrumDatasetOnOff(SpectrumDataset, MapDatasetOnOff):
    """Spectrum dataset with OFF counts; WStat statistic."""

    tag = "SpectrumDatasetOnOff"

    @classmethod
    def from_spectrum_dataset(cls, dataset, acceptance, acceptance_off, counts_off=None, name=None):
        """``MapDatasetOnOff.from_map_dataset`` (random name unless given, as gammapy)."""
        return cls.from_map_dataset(dataset, acceptance, acceptance_off, counts_off=counts_off, name=name)

    def to_spectrum_dataset(self, name=None):
        """Cash ``SpectrumDataset`` with ``background = alpha · counts_off``."""
        return self._to_cash_dataset(SpectrumDataset, name)

    @staticmethod
    def _add_into_total(total, m, weights, nan_to_num):
        """Region maps: the OFF maps of each run are on its own OFF-region geometry with
        the same energy bins, so they add bin by bin (``Map.stack`` arithmetic)."""
        data = np.asarray(m.data)
        unit = u.Unit(m.unit)
        if unit != total.unit:
            data = data * unit.to(total.unit)
        data = data.astype(total.data.dtype)
        if nan_to_num:
            data = np.nan_to_num(data, nan=0.0, posinf=0.0, neginf=0.0)
        if weights is not None:
            data = data * np.asarray(weights)
        total.data += data

    # --- I/O ----------------------------------------------------------------------------------------
    def write(self, filename, overwrite=False, format="gadf", checksum=False):
        """``gadf`` (dataset FITS layout with region maps) or ``ogip``/``ogip-sherpa``."""
        if format == "gadf":
            super().write(filename, overwrite=overwrite, checksum=checksum)
        elif format in ("ogip", "ogip-sherpa"):
            ogip.write_ogip(self, filename, overwrite=overwrite, format=format, checksum=checksum)
        else:
            raise ValueError(f"{format!r} is not a valid format: expected 'gadf', 'ogip' or 'ogip-sherpa'")

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
