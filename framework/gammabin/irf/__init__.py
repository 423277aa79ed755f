"""gammabin.irf — DL3 instrument response functions (gammapy.irf-compatible names).

Public classes take and return Quantities; makers use the documented float entry
points (``_evaluate_float``, ``_integrate_energy_bins``, ``_kernel_float``,
``_map_values``, ``_containment_float``) that take plain floats in TeV / deg.
"""
from .background import Background2D, Background3D, BackgroundIRF
from .core import IRF, FoVAlignment
from .edisp import EnergyDispersion2D, edisp_kernel_from_pdf
from .edisp_kernel import EDispKernel
from .effective_area import EffectiveAreaTable2D
from .psf_common import normalize_psf_map, rad_axis_default
from .psf_parametric import EnergyDependentMultiGaussPSF, ParametricPSF, PSFKing
from .psf_table import PSF3D
from .rad_max import RadMax2D
from .registry import IRF_CLASSES, read_irf_hdu

__all__ = [
    "IRF",
    "FoVAlignment",
    "EffectiveAreaTable2D",
    "EnergyDispersion2D",
    "EDispKernel",
    "edisp_kernel_from_pdf",
    "PSF3D",
    "ParametricPSF",
    "EnergyDependentMultiGaussPSF",
    "PSFKing",
    "BackgroundIRF",
    "Background3D",
    "Background2D",
    "RadMax2D",
    "IRF_CLASSES",
    "read_irf_hdu",
    "normalize_psf_map",
    "rad_axis_default",
]

# IRF maps (DL4): PSF / EDISP maps with their exposure maps.
from .edisp_map import EDispKernelMap, EDispMap  # noqa: E402
from .irf_map import IRFMap  # noqa: E402
from .psf_map import PSFMap, RecoPSFMap  # noqa: E402

__all__ += ["IRFMap", "PSFMap", "RecoPSFMap", "EDispKernelMap", "EDispMap"]
