"""gammabin.irf — DL3 instrument response functions (gammapy.irf-compatible names).

Public classes take and return Quantities; makers use the documented float entry
points (``_evaluate_float``, ``_integrate_energy_bins``, ``_kernel_float``,
``_map_values``, ``_containment_float``) that take plain floats in TeV / deg.
"""
# Names resolve on first access (PEP 562): importing one submodule (e.g. ``irf_map``
# for the IRF-map base) does not load every IRF class and its dependencies.
from gammabin.lazy_exports import lazy_exports

_EXPORTS = {
    "IRF": "core", "FoVAlignment": "core",
    "Background2D": "background", "Background3D": "background", "BackgroundIRF": "background",
    "EnergyDispersion2D": "edisp", "edisp_kernel_from_pdf": "edisp",
    "EDispKernel": "edisp_kernel",
    "EffectiveAreaTable2D": "effective_area",
    "normalize_psf_map": "psf_common", "rad_axis_default": "psf_common",
    "EnergyDependentMultiGaussPSF": "psf_parametric", "ParametricPSF": "psf_parametric", "PSFKing": "psf_parametric",
    "PSF3D": "psf_table",
    "RadMax2D": "rad_max",
    "IRF_CLASSES": "registry", "read_irf_hdu": "registry",
    # IRF maps (DL4): PSF / EDISP maps with their exposure maps.
    "EDispKernelMap": "edisp_map", "EDispMap": "edisp_map",
    "IRFMap": "irf_map",
    "PSFMap": "psf_map", "RecoPSFMap": "psf_map",
}

__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
