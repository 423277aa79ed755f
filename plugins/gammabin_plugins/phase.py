"""Built-in plugin: ``PhaseBackgroundMaker`` (ON/OFF counts from pulsar phase intervals,
background-makers.md §7).  Counting uses the core builders (``make_counts``; the RAD_MAX
selection for point regions when the core provides it)."""
import copy

import attrs
import numpy as np

from gammabin import hookimpl
from gammabin.makers import Maker

GAMMABIN_PLUGIN_API = 1


def normalise_phase_intervals(intervals):
    """gammapy's interval rule, reproduced exactly (quirk 12): an interval whose
    ``lo % 1 > hi % 1`` is removed (first equal element) and replaced at the end by
    ``(lo % 1, 1)`` and, unless ``hi % 1 == 0``, ``(0, hi % 1)``; the index advances even
    after a removal, so the element after a split one is not examined."""
    items = [intervals] if isinstance(intervals, tuple) else list(intervals)
    i = 0
    while i < len(items):
        lo, hi = items[i]
        if lo % 1 > hi % 1:
            items.remove((lo, hi))
            items.append((lo % 1, 1))
            if hi % 1 != 0:
                items.append((0, hi % 1))
        i += 1
    return items


def _intervals(value):
    if isinstance(value, tuple):
        value = [value]
    value = copy.deepcopy(list(value))
    # configuration files give pairs as lists; a bare pair of numbers is refused
    value = [tuple(v) if isinstance(v, (list, tuple)) else v for v in value]
    if not all(isinstance(v, tuple) and len(v) == 2 for v in value):
        from gammabin.errors import MakerParameterError

        raise MakerParameterError(
            f"PhaseBackgroundMaker: expected a (lo, hi) tuple or a list of them, got {value!r}")
    return normalise_phase_intervals(value)


def _phase_counts(dataset, observation, phase, intervals):
    """Counts of the events in each interval ``lo <= phase < hi`` on the dataset's
    geometry, summed over intervals (overlaps count twice, quirk 13); a point ON region
    selects events within RAD_MAX of its centre (core RAD_MAX counting)."""
    from gammabin.makers.builders.counts import make_counts
    from gammabin.makers.builders.rad_max_counts import make_counts_rad_max

    geom = dataset.counts.geom
    events = observation.events
    point = type(getattr(geom, "region", None)).__name__ == "PointSkyRegion"
    total = np.zeros(geom.data_shape)
    for lo, hi in intervals:
        selected = events.select_row_subset((phase >= lo) & (phase < hi))
        if point:
            counts = make_counts_rad_max(geom, observation.rad_max, selected)
        else:
            counts = make_counts(geom, selected)
        total += np.asarray(counts.data)
    return total


@attrs.define
class PhaseBackgroundMaker(Maker):
    """ON and OFF counts from events in ON and OFF phase intervals; acceptances = interval widths."""

    tag = "PhaseBackgroundMaker"

    on_phase: list = attrs.field(converter=_intervals, metadata={"kind": "intervals", "doc": "ON phase interval(s)"})
    off_phase: list = attrs.field(converter=_intervals, metadata={"kind": "intervals", "doc": "OFF phase interval(s)"})
    phase_column_name: str = attrs.field(default="PHASE", metadata={"kind": "str", "doc": "event column with the phase"})

    def run(self, dataset, observation):
        from gammabin.datasets import MapDatasetOnOff, SpectrumDataset, SpectrumDatasetOnOff
        from gammabin.errors import MissingColumnError
        from gammabin.maps import Map

        events = observation.events
        if self.phase_column_name not in events.colnames:
            raise MissingColumnError(
                f"Observation {getattr(observation, 'obs_id', '?')}: EVENTS has no column {self.phase_column_name!r} "
                f"(expected the pulsar phase; columns: {events.colnames})")
        phase = np.asarray(events.column(self.phase_column_name), dtype=float)
        geom = dataset.counts.geom
        counts = _phase_counts(dataset, observation, phase, self.on_phase)
        counts_off = _phase_counts(dataset, observation, phase, self.off_phase)
        # widths as written, in float64 (0.6 - 0.5 = 0.09999999999999998)
        on_width = float(np.sum([hi - lo for lo, hi in self.on_phase]))
        off_width = float(np.sum([hi - lo for lo, hi in self.off_phase]))
        acceptance = Map.from_geom(geom, data=np.full(geom.data_shape, on_width))
        acceptance_off = np.full(geom.data_shape, off_width)
        counts_map = Map.from_geom(geom, data=counts.astype(dataset.counts.data.dtype))
        counts_off_map = Map.from_geom(geom, data=counts_off.astype(dataset.counts.data.dtype))
        if isinstance(dataset, SpectrumDataset):
            # gammapy converts through to_spectrum_dataset: acceptance_off = acc·off/(α·off),
            # i.e. 0 where there are no OFF counts (quirk 14)
            with np.errstate(divide="ignore", invalid="ignore"):
                alpha = np.nan_to_num(on_width / acceptance_off)
                acceptance_off = np.nan_to_num(on_width * counts_off / (alpha * counts_off))
            out = SpectrumDatasetOnOff.from_spectrum_dataset(
                dataset, acceptance=acceptance, acceptance_off=Map.from_geom(geom, data=acceptance_off),
                counts_off=counts_off_map, name=dataset.name)
        else:
            out = MapDatasetOnOff.from_map_dataset(
                dataset, acceptance=acceptance, acceptance_off=Map.from_geom(geom, data=acceptance_off),
                counts_off=counts_off_map, name=dataset.name)
        out.counts = counts_map
        return out


@hookimpl
def gammabin_register_makers():
    return [PhaseBackgroundMaker]
