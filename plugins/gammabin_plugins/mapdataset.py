"""Built-in plugin: ``MapDatasetMaker`` (counts, exposure, background, PSF and
energy-dispersion maps for one observation).  The map builders themselves live in
the core (``gammabin.makers.map_builders``) because other makers share them."""
import attrs

from gammabin import hookimpl
from gammabin.errors import MakerParameterError
from gammabin.makers import Maker
from gammabin.makers.parameters import bool_field, number_field, quantity_field

GAMMABIN_PLUGIN_API = 1

SELECTION = ("counts", "exposure", "background", "psf", "edisp")


def _selection(value):
    if value is None:
        return list(SELECTION)
    items = [value] if isinstance(value, str) else list(value)
    bad = [item for item in items if item not in SELECTION]
    if bad:
        raise MakerParameterError(
            f"MapDatasetMaker.selection: expected a list of {list(SELECTION)}, got {value!r} "
            f"({', '.join(map(repr, bad))} not allowed)"
        )
    return items


@attrs.define
class MapDatasetMaker(Maker):
    """Fill counts, exposure, background, PSF and EDISP maps of one observation."""

    tag = "MapDatasetMaker"

    selection: list = attrs.field(
        default=None, converter=_selection,
        metadata={"choices": SELECTION, "many": True, "kind": "choices",
                  "doc": "maps to make (default all)"},
    )
    background_oversampling: int | None = number_field(
        None, type=int, min=1, optional=True, doc="sub-bins per reco-energy bin for the background integral")
    background_interp_missing_data: bool = bool_field(
        True, doc="fill interior empty energy bins of the background model")
    background_pad_offset: bool = bool_field(True, doc="pad offset-binned background models by one bin")
    fov_rotation_step: object = quantity_field(
        "1 deg", "deg", doc="maximum FoV rotation per step for alt-az background models")

    def run(self, dataset, observation):
        from gammabin.makers.map_builders import make_map_dataset

        return make_map_dataset(self, dataset, observation)


@hookimpl
def gammabin_register_makers():
    return [MapDatasetMaker]
