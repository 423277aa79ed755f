"""gammapy scripts build IRF maps with keywords; the names are part of the drop-in API."""
import inspect

from gammabin.irf import EDispKernelMap, EDispMap, PSFMap


def test_irf_map_constructor_keywords_match_gammapy():
    assert list(inspect.signature(EDispKernelMap).parameters) == ["edisp_kernel_map", "exposure_map"]
    assert list(inspect.signature(EDispMap).parameters) == ["edisp_map", "exposure_map"]
    assert list(inspect.signature(PSFMap).parameters) == ["psf_map", "exposure_map"]
