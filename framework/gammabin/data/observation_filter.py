"""Time and event filters applied to an observation's events and GTI on access."""
import copy

__all__ = ["ObservationFilter"]

_EVENT_FILTER_METHODS = {"sky_region": "select_region", "custom": "select_parameter"}


class ObservationFilter:
    """``time_filter = [t0, t1]`` (Time); ``event_filters`` = list of
    ``{"type": "sky_region"|"custom", "opts": {...}}`` passed to the EventList method."""

    def __init__(self, time_filter=None, event_filters=None, inverted_time=False):
        self.time_filter = time_filter
        self.event_filters = list(event_filters or [])
        self.inverted_time = inverted_time
        for f in self.event_filters:
            if f.get("type") not in _EVENT_FILTER_METHODS:
                raise ValueError(f"unknown event filter type {f.get('type')!r}; valid: {', '.join(_EVENT_FILTER_METHODS)}")

    @property
    def is_active(self):
        return bool(self.time_filter is not None or self.event_filters)

    @property
    def livetime_fraction(self):
        """``band[1] − band[0]`` of a filter on column PHASE (first filter decides), else 1."""
        for f in self.event_filters:
            opts = f.get("opts", {})
            if opts.get("parameter") == "PHASE":
                band = opts.get("band", opts.get("values"))
                return band[1] - band[0]
            return 1
        return 1

    def filter_events(self, events):
        if self.time_filter is not None:
            events = events.select_time(self.time_filter, self.inverted_time)
        for f in self.event_filters:
            opts = dict(f.get("opts", {}))
            if f["type"] == "custom" and "band" in opts:
                opts["values"] = opts.pop("band")
            events = getattr(events, _EVENT_FILTER_METHODS[f["type"]])(**opts)
        return events

    def filter_gti(self, gti):
        if self.time_filter is not None:
            return gti.select_time(self.time_filter, self.inverted_time)
        return gti

    def copy(self):
        return copy.deepcopy(self)
