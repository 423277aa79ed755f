"""Built-in plugin: ``SafeMaskMaker`` (safe data range masks, datasets-makers.md §2.5).
The mask computations live in the core (``gammabin.makers.safe_mask``)."""
import attrs

from gammabin import hookimpl
from gammabin.makers import Maker
from gammabin.makers.parameters import choices_field, number_field, parameter_error, quantity_field

GAMMABIN_PLUGIN_API = 1

METHODS = ("aeff-default", "aeff-max", "edisp-bias", "offset-max", "bkg-peak")


def _position(value):
    if value is None:
        return None
    from astropy.coordinates import SkyCoord

    if isinstance(value, SkyCoord):
        return value
    return SkyCoord(value)


@attrs.define
class SafeMaskMaker(Maker):
    """Mask energies and offsets outside the safe data range of one observation."""

    tag = "SafeMaskMaker"

    methods: list = choices_field(["aeff-default"], METHODS, many=True, doc="masking methods, applied in a fixed order")
    aeff_percent: float = number_field(10, type=float, min=0, doc="aeff-max: percentage of the maximum effective area")
    bias_percent: float = number_field(10, type=float, min=0, doc="edisp-bias: allowed energy bias in percent")
    position: object = attrs.field(default=None, converter=_position,
                                   metadata={"kind": "skycoord", "doc": "aeff-max/edisp-bias evaluation position"})
    fixed_offset: object = quantity_field(None, "deg", optional=True,
                                          doc="aeff-max/edisp-bias: offset from the pointing (toward PA 0)")
    offset_max: object = quantity_field("3 deg", "deg", doc="offset-max: maximum offset from the pointing")
    irfs: str = choices_field("DL4", ("DL3", "DL4"), many=False, doc="take thresholds from the dataset (DL4) or the IRFs (DL3)")

    def __attrs_post_init__(self):
        if self.position is not None and self.fixed_offset is not None:
            field = attrs.fields(type(self)).fixed_offset
            raise parameter_error(self, field, "None when position is given (position and fixed_offset exclude each other)",
                                  self.fixed_offset)

    def run(self, dataset, observation=None):
        from gammabin.makers.safe_mask import apply_safe_mask

        return apply_safe_mask(self, dataset, observation)


@hookimpl
def gammabin_register_makers():
    return [SafeMaskMaker]
