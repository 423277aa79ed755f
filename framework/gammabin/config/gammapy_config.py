"""gammapy ``AnalysisConfig`` YAML → gammabin's reduction config.

Only the ``observations`` and ``datasets`` sections drive the reduction; ``general``
(its ``n_jobs``), ``fit``, ``flux_points``, ``excess_map`` and ``light_curve`` are
accepted and ignored.  The two sections are validated key by key against gammapy 2.1's
layout and defaults (facts from its documentation), so a config that gammapy accepts
reduces here to the datasets ``Analysis.get_datasets()`` makes:

- 3D: makers in the order dataset maker, safe mask, background; every run cut out
  around its pointing with width 2 × ``geom.selection.offset_max`` ("trim"); the
  reference made with ``binsz_irf`` and a true-energy axis (default 0.5–20 TeV, 16
  bins); energy axes with ``from_bounds`` (log); stacked in observation order.
- 1D: dataset maker (``selection`` counts, exposure, edisp, ``containment_correction``
  default true), background, safe mask; runs without OFF counts dropped; stacked with
  ``Datasets.stack_reduce``.
"""
import attrs
from cattrs.errors import ClassValidationError, IterableValidationError

from .schema import AngleDeg, EnergyTeV, FieldValueError

__all__ = ["translate_gammapy_config", "GammapyObservations", "GammapyDatasets"]


@attrs.define
class _SkyCoord:
    frame: str | None = None
    lon: AngleDeg | None = None
    lat: AngleDeg | None = None


@attrs.define
class _Circle:
    frame: str | None = None
    lon: AngleDeg | None = None
    lat: AngleDeg | None = None
    radius: AngleDeg | None = None


@attrs.define
class _Axis:
    min: EnergyTeV | None = None
    max: EnergyTeV | None = None
    nbins: int | None = None


@attrs.define
class _TimeRange:
    start: str | list[str] | None = None
    stop: str | list[str] | None = None


@attrs.define
class _Axes:
    energy: _Axis = attrs.Factory(lambda: _Axis(EnergyTeV(1), EnergyTeV(10), 5))
    energy_true: _Axis = attrs.Factory(lambda: _Axis(EnergyTeV(0.5), EnergyTeV(20), 16))


@attrs.define
class _Width:
    width: AngleDeg = AngleDeg(5)
    height: AngleDeg = AngleDeg(5)


@attrs.define
class _Wcs:
    skydir: _SkyCoord = attrs.Factory(_SkyCoord)
    binsize: AngleDeg = AngleDeg(0.02)
    width: _Width = attrs.Factory(_Width)
    binsize_irf: AngleDeg | None = AngleDeg(0.2)


@attrs.define
class _Selection:
    offset_max: AngleDeg = AngleDeg(2.5)


@attrs.define
class _Geom:
    wcs: _Wcs = attrs.Factory(_Wcs)
    selection: _Selection = attrs.Factory(_Selection)
    axes: _Axes = attrs.Factory(_Axes)


@attrs.define
class _Background:
    method: str | None = None
    exclusion: str | None = None
    parameters: dict = attrs.Factory(dict)


@attrs.define
class _SafeMask:
    methods: list[str] = attrs.Factory(lambda: ["aeff-default"])
    parameters: dict = attrs.Factory(dict)


def _enum(*choices):
    def check(instance, attribute, value):
        if value is not None and value not in choices:
            raise FieldValueError(attribute.name, f"expected one of {list(choices)}, got {value!r}")
    return check


@attrs.define
class GammapyDatasets:
    type: str = attrs.field(default="1d", validator=_enum("1d", "3d"))
    stack: bool = True
    geom: _Geom = attrs.Factory(_Geom)
    map_selection: list[str] = attrs.Factory(lambda: ["counts", "exposure", "background", "psf", "edisp"])
    background: _Background = attrs.Factory(_Background)
    safe_mask: _SafeMask = attrs.Factory(_SafeMask)
    on_region: _Circle = attrs.Factory(_Circle)
    containment_correction: bool = True


@attrs.define
class GammapyObservations:
    datastore: str = "$GAMMAPY_DATA/hess-dl3-dr1/"
    obs_ids: list[int] = attrs.Factory(list)
    obs_file: str | None = None
    obs_cone: _Circle = attrs.Factory(_Circle)
    obs_time: _TimeRange = attrs.Factory(_TimeRange)
    required_irf: list[str] = attrs.Factory(lambda: ["aeff", "edisp", "psf", "bkg"])


_BACKGROUND = {None: "none", "fov_background": "fov", "ring": "ring", "reflected": "reflected"}
_IGNORED_SECTIONS = ("general", "fit", "flux_points", "excess_map", "light_curve")


def _structure(conv, data, cls, key, source):
    from .loading import ConfigError, _one_line

    try:
        return conv.structure(data if data is not None else {}, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        raise ConfigError(_one_line(exc, source, prefix=f"$.{key}")) from None


def _axis(axis):
    if axis.min is None or axis.max is None or not axis.nbins or axis.nbins < 1:
        return None
    return {"min": float(axis.min), "max": float(axis.max), "nbins": axis.nbins}


def _obs_ids_from_file(path):
    from ..data.paths import make_path

    ids = []
    for line in make_path(path).read_text().split("\n"):
        line = line.strip()
        if line and not line.startswith("#"):
            ids.append(int(line.split()[0]))
    return ids


def translate_gammapy_config(data, source):
    """Returns ``(gammabin_dict, axis_method, cutout_width_deg)``."""
    from .loading import ConfigError, converter

    unknown = sorted(set(data) - {"observations", "datasets", *_IGNORED_SECTIONS})
    if unknown:
        raise ConfigError(f"{source}: (top level): unknown key(s) {', '.join(unknown)}; expected one of "
                          f"{['observations', 'datasets', *_IGNORED_SECTIONS]}")
    conv = converter()
    obs = _structure(conv, data.get("observations"), GammapyObservations, "observations", source)
    ds = _structure(conv, data.get("datasets"), GammapyDatasets, "datasets", source)
    if obs.obs_ids and obs.obs_file:
        raise ConfigError(f"{source}: observations.obs_file: expected either obs_ids or obs_file, not both")
    if obs.obs_time.start is not None:
        raise ConfigError(f"{source}: observations.obs_time: time selection is not supported by gammabin reduce")
    observations = {"datastore": obs.datastore, "required_irf": list(obs.required_irf),
                    "obs_ids": obs.obs_ids or (_obs_ids_from_file(obs.obs_file) if obs.obs_file else [])}
    if obs.obs_cone.lon is not None:
        observations["obs_cone"] = {"lon": float(obs.obs_cone.lon), "lat": float(obs.obs_cone.lat),
                                    "radius": float(obs.obs_cone.radius), "frame": obs.obs_cone.frame or "icrs"}
    axes = ds.geom.axes
    dataset = {"type": "map" if ds.type == "3d" else "spectrum", "name": "stacked",
               "energy": _axis(axes.energy), "energy_true": _axis(axes.energy_true)}
    if dataset["energy"] is None:
        raise ConfigError(f"{source}: datasets.geom.axes.energy: expected min, max and nbins")
    wcs = ds.geom.wcs
    if ds.type == "3d":
        if wcs.skydir.lon is None:
            raise ConfigError(f"{source}: datasets.geom.wcs.skydir: expected lon and lat of the map centre")
        dataset["geom"] = {"skydir": {"lon": float(wcs.skydir.lon), "lat": float(wcs.skydir.lat),
                                      "frame": wcs.skydir.frame or "icrs"},
                           "width": [float(wcs.width.width), float(wcs.width.height)],
                           "binsz": float(wcs.binsize), "proj": "CAR",
                           "binsz_irf": None if wcs.binsize_irf is None else float(wcs.binsize_irf)}
        dataset["selection"] = list(ds.map_selection)
    else:
        region = ds.on_region
        if region.lon is None or region.radius is None:
            raise ConfigError(f"{source}: datasets.on_region: expected lon, lat and radius")
        dataset["on_region"] = {"lon": float(region.lon), "lat": float(region.lat), "radius": float(region.radius),
                                "frame": region.frame or "icrs"}
        dataset["selection"] = ["counts", "exposure", "edisp"]
        dataset["containment_correction"] = ds.containment_correction
    method = ds.background.method
    if method not in _BACKGROUND:
        raise ConfigError(f"{source}: datasets.background.method: expected one of "
                          f"['fov_background', 'ring', 'reflected', null], got {method!r}")
    out = {
        "observations": observations,
        "dataset": dataset,
        "background": {"method": _BACKGROUND[method], "parameters": dict(ds.background.parameters)},
        "safe_mask": {"methods": list(ds.safe_mask.methods), "parameters": dict(ds.safe_mask.parameters)},
        "stack": ds.stack,
        "execution": {"n_jobs": (data.get("general") or {}).get("n_jobs") or None},
    }
    if out["execution"]["n_jobs"] and out["execution"]["n_jobs"] > 1:
        out["execution"]["backend"] = "processes"
    if ds.background.exclusion:
        out["exclusion"] = {"file": ds.background.exclusion}
    cutout = 2 * float(ds.geom.selection.offset_max) if ds.type == "3d" else None
    return out, "from_bounds", None if cutout is None else AngleDeg(cutout)
