"""PSF maps: a PSF (``rad``, ``energy_true``) or reco-energy PSF (``rad``, ``energy``)
per IRF pixel plus its exposure map (DIM §2.9).  The PSF kernel for convolution is not
needed by the reduction chain and is not provided yet."""
from .irf_map import IRFMap

__all__ = ["PSFMap", "RecoPSFMap"]


class PSFMap(IRFMap):
    """PSF map with axes ``[rad, energy_true]``; HDUs ``PSF`` and ``PSF_EXPOSURE``."""

    tag = "psf_map"
    required_axes = ("rad", "energy_true")
    _hdu = "psf"

    def __init__(self, psf_map, exposure_map=None):
        super().__init__(psf_map, exposure_map)

    @property
    def psf_map(self):
        return self._irf_map

    @psf_map.setter
    def psf_map(self, value):
        self._irf_map = value

    @property
    def energy_name(self):
        return self.required_axes[-1]

    @classmethod
    def _class_for(cls, irf_map):
        # a PSF written with a reco ``energy`` axis reads back as a RecoPSFMap
        return RecoPSFMap if "energy" in irf_map.geom.axes.names else PSFMap


class RecoPSFMap(PSFMap):
    """PSF map in reconstructed energy: axes ``[rad, energy]``."""

    tag = "psf_map_reco"
    required_axes = ("rad", "energy")
