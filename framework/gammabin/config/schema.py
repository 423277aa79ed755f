"""The ``gammabin reduce`` configuration: plain attrs classes, validated by cattrs
(:mod:`gammabin.config.loading`).  Values with units are written as ``"0.02 deg"``,
``"1 TeV"`` or bare numbers (degrees, TeV); they are stored as floats in those units.

Layout (every section but ``observations`` has defaults)::

    observations: {datastore, obs_ids, obs_cone, target, required_irf}
    dataset:      {type: map|spectrum, name, geom, energy, energy_true, on_region,
                   selection, containment_correction, image}
    exclusion:    {regions: [...], geom}            # False inside the regions
    background:   {method, parameters}
    safe_mask:    {methods, parameters}
    makers:       [{tag: ...}, ...]                 # replaces the three sections above
    stack:        true
    execution:    {backend, n_jobs, scheduler, on_error, cutout_width}
    output:       {dir, overwrite, resume, quicklook}
"""
import attrs

__all__ = [
    "AngleDeg", "EnergyTeV", "SkyPosition", "Circle", "Cone", "EnergyAxisConfig", "WcsGeomConfig",
    "ObservationsConfig", "DatasetConfig", "ExclusionConfig", "BackgroundConfig", "SafeMaskConfig",
    "ExecutionConfig", "OutputConfig", "ReductionConfig", "BACKGROUND_METHODS", "DATASET_TYPES",
    "BACKENDS",
]


class AngleDeg(float):
    """An angle in degrees (from ``"0.5 deg"``, ``"30 arcmin"`` or a bare number)."""


class EnergyTeV(float):
    """An energy in TeV (from ``"500 GeV"``, ``"1 TeV"`` or a bare number)."""


#: background methods and the maker each one builds
BACKGROUND_METHODS = {
    "none": None,
    "fov": "FoVBackgroundMaker",
    "ring": "RingBackgroundMaker",
    "adaptive-ring": "AdaptiveRingBackgroundMaker",
    "reflected": "ReflectedRegionsBackgroundMaker",
    "wobble": "ReflectedRegionsBackgroundMaker",
    "phase": "PhaseBackgroundMaker",
}
DATASET_TYPES = ("map", "spectrum")
BACKENDS = ("serial", "processes", "dask")


class FieldValueError(ValueError):
    """A field's validator refused its value (cattrs reports it at the class: the field
    name travels with the error so the key path can name it)."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _one_of(choices):
    def check(instance, attribute, value):
        if value not in choices:
            raise FieldValueError(attribute.name, f"expected one of {list(choices)}, got {value!r}")
    return check


def _positive(attribute, value):
    if value <= 0:
        raise FieldValueError(attribute.name, f"expected a positive number, got {value!r}")


@attrs.define
class SkyPosition:
    lon: AngleDeg
    lat: AngleDeg
    frame: str = attrs.field(default="icrs", validator=_one_of(("icrs", "galactic")))


@attrs.define
class Circle:
    """A circle on the sky; ``radius: null`` is a point (ON region sized by RAD_MAX)."""

    lon: AngleDeg
    lat: AngleDeg
    radius: AngleDeg | None = None
    frame: str = attrs.field(default="icrs", validator=_one_of(("icrs", "galactic")))


@attrs.define
class Cone:
    lon: AngleDeg
    lat: AngleDeg
    radius: AngleDeg
    frame: str = attrs.field(default="icrs", validator=_one_of(("icrs", "galactic")))


@attrs.define
class EnergyAxisConfig:
    """Log-spaced edges from ``min`` to ``max``: ``nbins`` in all, or per decade."""

    min: EnergyTeV
    max: EnergyTeV
    nbins: int = attrs.field(validator=lambda _, a, v: _positive(a, v))
    per_decade: bool = False


@attrs.define
class WcsGeomConfig:
    skydir: SkyPosition
    width: list[AngleDeg]  # [width] or [width, height]; a scalar is accepted
    binsz: AngleDeg = AngleDeg(0.02)
    proj: str = "CAR"
    binsz_irf: AngleDeg | None = None


@attrs.define
class ObservationsConfig:
    datastore: str
    obs_ids: list[int] = attrs.Factory(list)
    obs_cone: Cone | None = None
    target: str | None = None  # OBJECT column of the observation index, case-insensitive
    required_irf: str | list[str] = "full-enclosure"


@attrs.define
class DatasetConfig:
    type: str = attrs.field(default="map", validator=_one_of(DATASET_TYPES))
    name: str = "stacked"
    geom: WcsGeomConfig | None = None  # map datasets (and the demo's plots)
    energy: EnergyAxisConfig = attrs.Factory(lambda: EnergyAxisConfig(EnergyTeV(1), EnergyTeV(10), 5))
    energy_true: EnergyAxisConfig | None = None  # default: the reco axis
    on_region: Circle | None = None  # spectrum datasets (drawn on map plots)
    selection: list[str] | None = None  # the dataset maker's selection
    containment_correction: bool = False
    image: bool = False  # sum the stacked map over energy before ring backgrounds


@attrs.define
class ExclusionConfig:
    """Pixels inside ``regions`` are excluded (False).  ``geom``: the mask's grid
    (default: the dataset's image geometry, or for spectra a 0.02° TAN grid 2×offset wide)."""

    regions: list[Circle] = attrs.Factory(list)
    geom: WcsGeomConfig | None = None
    file: str | None = None  # a boolean sky map file instead (True = usable), as in gammapy configs


@attrs.define
class BackgroundConfig:
    method: str = attrs.field(default="none", validator=_one_of(tuple(BACKGROUND_METHODS)))
    parameters: dict = attrs.Factory(dict)


@attrs.define
class SafeMaskConfig:
    methods: list[str] = attrs.Factory(lambda: ["aeff-default"])
    parameters: dict = attrs.Factory(dict)


@attrs.define
class ExecutionConfig:
    backend: str = attrs.field(default="serial", validator=_one_of(BACKENDS))
    n_jobs: int | None = None
    scheduler: str | None = None  # Dask scheduler address, e.g. tcp://host:8786
    on_error: str = attrs.field(default="raise", validator=_one_of(("raise", "skip")))
    cutout_width: AngleDeg | None = None  # default: 2 × the safe mask's offset_max


@attrs.define
class OutputConfig:
    dir: str = "gammabin-output"
    overwrite: bool = False
    resume: bool = False  # keep per-run files in <dir>/runs and reuse them
    quicklook: bool = True  # PNGs next to the datasets


@attrs.define
class ReductionConfig:
    observations: ObservationsConfig
    dataset: DatasetConfig = attrs.Factory(DatasetConfig)
    exclusion: ExclusionConfig | None = None
    background: BackgroundConfig = attrs.Factory(BackgroundConfig)
    safe_mask: SafeMaskConfig | None = attrs.Factory(SafeMaskConfig)
    makers: list[dict] | None = None
    stack: bool = True
    execution: ExecutionConfig = attrs.Factory(ExecutionConfig)
    output: OutputConfig = attrs.Factory(OutputConfig)
    #: where relative paths are resolved (the config file's folder); not a YAML key
    base_dir: str = attrs.field(default=".", init=False)
    #: "gammabin" or "gammapy" (an AnalysisConfig translated); not a YAML key
    origin: str = attrs.field(default="gammabin", init=False)
    #: gammapy's 3D Analysis stacks with DatasetsMaker(cutout_width=2 × selection.offset_max)
    #: and a "from_bounds" energy axis; kept here so the translation is exact
    axis_method: str = attrs.field(default="from_energy_bounds", init=False)
