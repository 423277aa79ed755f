"""The data layer's names for the shared fast FITS reader (``gammabin.fitsio``)."""
from gammabin.fitsio import (  # noqa: F401 - re-exported
    FitsFile,
    FitsHeader,
    TableHDUView,
    _open_hdulist,
    clear_fits_cache,
    open_fits,
    read_column,
)

__all__ = ["FitsFile", "FitsHeader", "TableHDUView", "open_fits", "clear_fits_cache", "read_column"]
