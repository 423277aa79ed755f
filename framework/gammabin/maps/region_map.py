"""RegionNDMap: data ``(axis_N … axis_1, 1, 1)`` on a :class:`RegionGeom`.

The Map API comes from :class:`Map` (filling, access, reductions, stacking, arithmetic);
here only what differs for one spatial pixel: the gadf table layout (DIM §3.7)

* ``<HDU>`` table: ``CHANNEL`` (int16, one per first-axis bin) and ``DATA`` (the whole
  array, one row per first-axis bin), axes keys ``AXCOLS<i>``/``INTERP<i>`` in the header;
* ``<HDU>_BANDS``: the axes table (DIM §3.8);
* ``<HDU>_REGION``: the regions as pixel shapes + the helper WCS header.
"""
import json
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.table import Table

from gammabin.errors import MissingHDUError
from gammabin.fitsio import write_fits_atomic
from gammabin.maps import fits_io
from gammabin.maps.axes_collection import MapAxes
from gammabin.maps.region_geom import RegionGeom
from gammabin.maps.wcs_map import Map

__all__ = ["RegionNDMap"]


class RegionNDMap(Map):
    """N-dimensional map on a :class:`RegionGeom` (float32 zeros by default)."""

    def __init__(self, geom, data=None, dtype="float32", meta=None, unit=""):
        super().__init__(geom, data=data, dtype=dtype, meta=meta, unit=unit)

    @classmethod
    def create(cls, region, axes=None, dtype="float32", meta=None, unit="", wcs=None, binsz_wcs="0.1 deg", data=None):
        geom = RegionGeom.create(region, axes=axes, wcs=wcs, binsz_wcs=binsz_wcs)
        return cls(geom, data=data, dtype=dtype, meta=meta, unit=unit)

    def __str__(self):
        return (
            f"{self.__class__.__name__}\n\n"
            f"\tgeom  : {self._geom.__class__.__name__} \n "
            f"\taxes  : {self._geom.axes_names}\n"
            f"\tshape : {self._geom._shape}\n"
            f"\tndim  : {self._geom.ndim}\n"
            f"\tunit  : {self._unit}\n"
            f"\tdtype : {self._data.dtype}\n"
        )

    __repr__ = __str__

    def cutout(self, *args, **kwargs):
        return self.copy()

    def plot(self, ax=None, axis_name=None, **kwargs):
        """Values against the first (or named) axis centres."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        axis = self._geom.axes[axis_name or 0]
        ax.plot(axis.center.value, np.asarray(self._data).reshape(-1)[: axis.nbin], **kwargs)
        return ax

    # --- gadf I/O ----------------------------------------------------------------
    def to_table(self):
        table = Table()
        data = self.quantity if self._data.dtype != bool else self._data
        table["CHANNEL"] = np.arange(len(data), dtype=np.int16)
        table["DATA"] = data
        return table

    def to_hdulist(self, hdu="SKYMAP", hdu_bands=None, hdu_region=None, format="gadf", **kwargs):
        if format != "gadf":
            raise ValueError(f"RegionNDMap.to_hdulist: unsupported format {format!r} (OGIP: SpectrumDatasetOnOff)")
        hdu = hdu.upper()
        hdu_bands = f"{hdu}_BANDS" if hdu_bands is None else hdu_bands
        hdu_region = f"{hdu}_REGION" if hdu_region is None else hdu_region
        table = self.to_table()
        table.meta.update(self._geom.axes.to_header())
        if self.meta:
            table.meta["META"] = json.dumps(self.meta, cls=fits_io._MetaEncoder)
        hdus = [fits.PrimaryHDU(), fits.BinTableHDU(table, name=hdu)]
        hdus.append(self._geom.axes.to_table_hdu(hdu_bands=hdu_bands))
        if self._geom.region is not None:
            hdus.append(fits.BinTableHDU(self._geom.to_region_table(), name=hdu_region))
        return fits.HDUList(hdus)

    def write(self, filename, overwrite=False, format="gadf", hdu="SKYMAP", checksum=False):
        hdulist = self.to_hdulist(hdu=hdu, format=format)
        if checksum:
            for item in hdulist:
                item.add_checksum()
        write_fits_atomic(hdulist, filename, overwrite=overwrite)

    @classmethod
    def from_hdulist(cls, hdulist, hdu="SKYMAP", format="gadf", filename="", **kwargs):
        hdu = "SKYMAP" if hdu is None else hdu.upper()
        names = [h.name for h in hdulist]
        for needed in (hdu, f"{hdu}_BANDS"):
            if needed not in names:
                raise MissingHDUError(f"{filename}: region map HDU {needed!r} missing (found {names})")
        axes = MapAxes.from_table_hdu(hdulist[f"{hdu}_BANDS"])
        region_hdu = f"{hdu}_REGION"
        if region_hdu in names:
            geom = RegionGeom.from_region_table(Table.read(hdulist[region_hdu]), axes=axes)
        else:
            geom = RegionGeom(None, axes=axes)
        table = Table.read(hdulist[hdu])
        column = table["DATA"]
        data = np.asarray(column).reshape(geom.data_shape)
        if not data.dtype.isnative:
            data = data.astype(data.dtype.newbyteorder("="))
        unit = column.unit or ""
        if "mask" in hdu.lower():
            data = data.astype(bool)
        meta = json.loads(table.meta["META"]) if "META" in table.meta else {}
        return cls(geom, data=data, unit=unit, meta=meta, dtype=data.dtype)

    @classmethod
    def read(cls, filename, format="gadf", hdu=None, checksum=False, **kwargs):
        path = Path(filename)
        with fits.open(path, memmap=False, checksum=checksum) as hdulist:
            return cls.from_hdulist(hdulist, hdu=hdu, format=format, filename=str(path))


def is_region_map_hdulist(hdulist, hdu=None):
    """True if ``hdu`` (or the first table HDU) is a gadf region-map table."""
    names = [h.name for h in hdulist]
    if hdu is not None:
        return hdu.upper() in names and isinstance(hdulist[hdu.upper()], fits.BinTableHDU) and "DATA" in hdulist[hdu.upper()].columns.names
    return any(isinstance(h, fits.BinTableHDU) and "DATA" in h.columns.names for h in hdulist)

