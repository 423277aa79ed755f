"""Built-in plugin: ``FoVBackgroundMaker`` (scale or fit the background template outside
the exclusion region, background-makers.md §6).  Model and computations live in
``gammabin.makers.fov_model`` and ``gammabin.makers.fov_background``."""
import attrs

from gammabin import hookimpl
from gammabin.makers import Maker
from gammabin.makers.parameters import choices_field, map_field, number_field

GAMMABIN_PLUGIN_API = 1


def _spectral_model(value):
    from gammabin.makers.fov_model import norm_spectral_model

    return norm_spectral_model(value)


@attrs.define
class FoVBackgroundMaker(Maker):
    """Normalise the background template of a map dataset to the counts outside the exclusion region."""

    tag = "FoVBackgroundMaker"

    method: str = choices_field("scale", ("scale", "fit"), many=False, doc="'scale' (ratio of sums) or 'fit' (Cash fit)")
    exclusion_mask: object = map_field()
    spectral_model: object = attrs.field(
        default="pl-norm", metadata={"kind": "model", "doc": "norm spectral model or its tag"})
    spatial_model: object = attrs.field(default=None, metadata={"kind": "model", "doc": "optional spatial factor"})
    min_counts: float = number_field(0, type=float, doc="minimum counts in the fit mask")
    min_npred_background: float = number_field(0, type=float, doc="minimum predicted background in the fit mask")
    fit: object = attrs.field(default=None, metadata={"kind": "object", "doc": "ignored: the fit is done in closed form"})
    default_spectral_model: object = attrs.field(init=False)

    def __attrs_post_init__(self):
        self.default_spectral_model = _spectral_model(self.spectral_model)

    def run(self, dataset, observation=None):
        from gammabin.makers.fov_background import run_fov_background

        return run_fov_background(dataset, method=self.method, exclusion_mask=self.exclusion_mask,
                                  spectral_model=self.default_spectral_model, spatial_model=self.spatial_model,
                                  min_counts=self.min_counts, min_npred_background=self.min_npred_background)


@hookimpl
def gammabin_register_makers():
    return [FoVBackgroundMaker]
