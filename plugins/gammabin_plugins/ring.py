"""Built-in plugin: ``RingBackgroundMaker`` (ON/OFF maps by ring convolution,
background-makers.md §4).  Kernel and convolutions live in ``gammabin.makers.ring``."""
import attrs

from gammabin import hookimpl
from gammabin.makers import Maker
from gammabin.makers.parameters import map_field, quantity_field

GAMMABIN_PLUGIN_API = 1


@attrs.define
class RingBackgroundMaker(Maker):
    """OFF counts and acceptance summed over a ring around each pixel (exclusion applied)."""

    tag = "RingBackgroundMaker"

    r_in: object = quantity_field(attrs.NOTHING, "deg", doc="inner ring radius")
    width: object = quantity_field(attrs.NOTHING, "deg", doc="ring width")
    exclusion_mask: object = map_field()

    def run(self, dataset, observation=None):
        from gammabin.makers.ring import ring_background_dataset

        return ring_background_dataset(dataset, self.r_in.to_value("deg"), self.width.to_value("deg"),
                                       self.exclusion_mask)


@hookimpl
def gammabin_register_makers():
    return [RingBackgroundMaker]
