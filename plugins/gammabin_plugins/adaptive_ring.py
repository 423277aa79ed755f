"""Built-in plugin: ``AdaptiveRingBackgroundMaker`` (per pixel, the smallest ring whose
alpha is below a threshold, background-makers.md §5).  Kernels and convolutions live in
``gammabin.makers.ring``."""
import attrs

from gammabin import hookimpl
from gammabin.makers import Maker
from gammabin.makers.parameters import bool_field, choices_field, map_field, number_field, quantity_field

GAMMABIN_PLUGIN_API = 1


@attrs.define
class AdaptiveRingBackgroundMaker(Maker):
    """Ring background with the ring grown until ``alpha <= threshold_alpha``."""

    tag = "AdaptiveRingBackgroundMaker"

    r_in: object = quantity_field(attrs.NOTHING, "deg", doc="inner radius of the first ring")
    r_out_max: object = quantity_field(attrs.NOTHING, "deg", doc="maximum outer ring radius")
    width: object = quantity_field(attrs.NOTHING, "deg", doc="ring width (first ring for fixed_r_in)")
    stepsize: object = quantity_field("0.02 deg", "deg", doc="radius or width increment")
    threshold_alpha: float = number_field(0.1, type=float, min=0, doc="largest acceptable alpha")
    theta: object = quantity_field("0.22 deg", "deg", doc="ON top-hat radius (see fix_theta)")
    method: str = choices_field("fixed_width", ("fixed_width", "fixed_r_in"), many=False,
                                doc="grow the inner radius (fixed_width) or the width (fixed_r_in)")
    exclusion_mask: object = map_field()
    fix_theta: bool = bool_field(False, doc="use theta / pixel size (gammapy multiplies, giving a 1-pixel top-hat)")

    def run(self, dataset, observation=None):
        from gammabin.makers.ring import adaptive_ring_background_dataset

        deg = {key: getattr(self, key).to_value("deg") for key in ("r_in", "r_out_max", "width", "stepsize", "theta")}
        return adaptive_ring_background_dataset(dataset, threshold_alpha=self.threshold_alpha, method=self.method,
                                                exclusion_mask=self.exclusion_mask, fix_theta=self.fix_theta, **deg)


@hookimpl
def gammabin_register_makers():
    return [AdaptiveRingBackgroundMaker]
