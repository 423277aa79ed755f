"""IRF class registry and the data layer's entry point ``read_irf_hdu`` (spec §1.3)."""
from gammabin.errors import DataFormatError

from .background import Background2D, Background3D
from .edisp import EnergyDispersion2D
from .effective_area import EffectiveAreaTable2D
from .psf_parametric import EnergyDependentMultiGaussPSF, PSFKing
from .psf_table import PSF3D
from .rad_max import RadMax2D

__all__ = ["IRF_CLASSES", "read_irf_hdu"]

# HDU_CLASS tag (hdu-index) → IRF class
IRF_CLASSES = {
    cls.tag: cls
    for cls in (
        EffectiveAreaTable2D,
        EnergyDispersion2D,
        PSF3D,
        EnergyDependentMultiGaussPSF,
        PSFKing,
        Background3D,
        Background2D,
        RadMax2D,
    )
}


def read_irf_hdu(hdu, hdu_class, hdu_type=None, filename=None):
    """IRF object from an opened FITS table HDU (astropy, or a ``gammabin.fitsio`` view).

    Core classes are read directly; any other ``hdu_class`` is offered to the plugins'
    ``gammabin_read_irf`` hook (first non-None answer wins).  No answer →
    DataFormatError naming the file, HDU and class.
    """
    cls = IRF_CLASSES.get(str(hdu_class).strip().lower())
    if cls is not None:
        return cls.from_hdu(hdu, filename=filename)
    from gammabin.plugins import get_plugin_manager  # lazy: plugin loading is not free

    if hasattr(hdu, "to_astropy"):  # plugins are promised an astropy HDU
        hdu = hdu.to_astropy()

    result = get_plugin_manager().hook.gammabin_read_irf(
        hdu=hdu, hdu_class=hdu_class, hdu_type=hdu_type, filename=filename
    )
    if result is None:
        raise DataFormatError(
            f"file {filename}, HDU {getattr(hdu, 'name', hdu)!r}: unknown IRF class {hdu_class!r} "
            f"(type {hdu_type!r}); core classes are {sorted(IRF_CLASSES)} and no plugin reads it"
        )
    return result
