"""Built-in plugin: ``SpectrumDatasetMaker`` (counts, exposure, background and energy
dispersion of one observation in a sky region, datasets-makers.md §2.4).  The run step
and the region-aware builders (RAD_MAX counts, weighted region pixels, containment
correction) live in the core (``gammabin.makers.map_builders``)."""
import attrs

from gammabin import hookimpl
from gammabin.makers import Maker
from gammabin.makers.parameters import bool_field, number_field, parameter_error

GAMMABIN_PLUGIN_API = 1

SELECTION = ("counts", "background", "exposure", "edisp")


def _selection(value, maker, field):
    """None → all maps; otherwise a list (or one name) from SELECTION."""
    if value is None:
        return list(SELECTION)
    items = [value] if isinstance(value, str) else list(value)
    if any(item not in SELECTION for item in items):
        raise parameter_error(maker, field, f"a list of {list(SELECTION)}", value)
    return items


@attrs.define
class SpectrumDatasetMaker(Maker):
    """Fill a SpectrumDataset (region geometry) for one observation."""

    tag = "SpectrumDatasetMaker"

    selection: list = attrs.field(
        default=None, converter=attrs.Converter(_selection, takes_self=True, takes_field=True),
        metadata={"choices": SELECTION, "many": True, "kind": "choices", "doc": "maps to make (default all)"},
    )
    containment_correction: bool = bool_field(
        False, doc="multiply the exposure by the PSF containment in the ON circle (full-enclosure IRFs)")
    background_oversampling: int | None = number_field(
        None, type=int, min=1, optional=True, doc="sub-bins per reco-energy bin for the background integral")
    use_region_center: bool = bool_field(
        True, doc="IRFs at the region centre (True) or averaged over the region's pixels (False)")

    def run(self, dataset, observation):
        from gammabin.makers.map_builders import make_map_dataset

        return make_map_dataset(self, dataset, observation)


@hookimpl
def gammabin_register_makers():
    return [SpectrumDatasetMaker]
