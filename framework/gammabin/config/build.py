"""A validated :class:`ReductionConfig` → the objects a reduction needs: the data store
and its selected observations, the reference dataset (geometry, energy axes), the
exclusion mask, the per-run makers and the makers run once on the stacked dataset."""
import os
from pathlib import Path

import attrs
import numpy as np

from ..errors import GammabinError, MakerParameterError, UnknownTagError
from .loading import ConfigError
from .schema import BACKGROUND_METHODS

__all__ = ["Reduction", "build_reduction", "select_observations", "resolve_datastore", "default_data_dir",
           "energy_axis", "sky_region"]

_DATA_VARS = ("GAMMABIN_DATA", "GAMMAPY_DATA")


def default_data_dir():
    """``$GAMMABIN_DATA``, ``$GAMMAPY_DATA``, else a ``shared/data`` next to the repository
    or the working folder (the layout of this project's checkouts); None if none exists."""
    for var in _DATA_VARS:
        if os.environ.get(var):
            return Path(os.environ[var])
    repo = Path(__file__).resolve().parents[3]
    for candidate in (Path.cwd().parent / "shared" / "data", repo.parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return None


def resolve_datastore(path, base_dir=".", source="<config>"):
    """The data store folder: ``$GAMMAPY_DATA``/``$GAMMABIN_DATA`` fall back to the default
    data folder when unset; relative paths are taken from the config file's folder."""
    text = os.fspath(path)
    for var in _DATA_VARS:
        for spelled in (f"${{{var}}}", f"${var}"):
            if spelled in text and not os.environ.get(var):
                fallback = default_data_dir()
                if fallback is not None:
                    text = text.replace(spelled, os.fspath(fallback))
    resolved = Path(os.path.expanduser(os.path.expandvars(text)))
    if not resolved.is_absolute():
        resolved = Path(base_dir) / resolved
    if not resolved.is_dir():
        raise ConfigError(f"{source}: observations.datastore: expected a data store folder, "
                          f"{os.fspath(path)!r} does not exist ({resolved})")
    if not any((resolved / name).exists() for name in ("hdu-index.fits.gz", "hdu-index.fits")):
        raise ConfigError(f"{source}: observations.datastore: expected a folder with hdu-index.fits(.gz), "
                          f"none in {resolved}")
    return resolved


def _cone_mask(table, cone):
    from astropy.coordinates import SkyCoord

    center = SkyCoord(cone.lon, cone.lat, unit="deg", frame=cone.frame).icrs
    ra, dec = np.radians(np.asarray(table["RA_PNT"], float)), np.radians(np.asarray(table["DEC_PNT"], float))
    ra0, dec0 = np.radians(center.ra.deg), np.radians(center.dec.deg)
    cos_sep = np.sin(dec) * np.sin(dec0) + np.cos(dec) * np.cos(dec0) * np.cos(ra - ra0)
    return np.degrees(np.arccos(np.clip(cos_sep, -1, 1))) < cone.radius


def select_observations(config, source="<config>"):
    """``(data_store, observations)`` as the config selects them (ids, cone, target)."""
    from ..data import DataStore

    oc = config.observations
    path = resolve_datastore(oc.datastore, config.base_dir, source)
    try:
        store = DataStore.from_dir(path)
        table = store.obs_table
    except (GammabinError, OSError, ValueError) as exc:
        raise ConfigError(f"{source}: observations.datastore: cannot read the data store {path}: {exc}") from None
    ids = np.asarray(table["OBS_ID"], dtype=np.int64)
    keep = np.ones(len(ids), bool)
    if oc.obs_cone is not None:
        keep &= _cone_mask(table, oc.obs_cone)
    if oc.target is not None:
        if "OBJECT" not in table.colnames:
            raise ConfigError(f"{source}: observations.target: the observation index of {path} has no OBJECT column")
        names = np.char.lower(np.char.strip(np.asarray(table["OBJECT"]).astype(str)))
        keep &= names == oc.target.strip().lower()
    if oc.obs_ids:
        unknown = [i for i in oc.obs_ids if i not in set(ids.tolist())]
        if unknown:
            raise ConfigError(f"{source}: observations.obs_ids: expected ids of {path}, unknown: {unknown[:10]}")
        selected = [i for i in oc.obs_ids if keep[np.flatnonzero(ids == i)[0]]]  # the given order
    else:
        selected = ids[keep].tolist()
    if not selected:
        what = ", ".join(k for k, v in (("obs_ids", oc.obs_ids), ("obs_cone", oc.obs_cone), ("target", oc.target)) if v)
        raise ConfigError(f"{source}: observations: the selection ({what or 'all'}) is empty in {path}")
    try:
        observations = store.get_observations(selected, required_irf=oc.required_irf)
    except (GammabinError, ValueError) as exc:
        raise ConfigError(f"{source}: observations.required_irf: {exc}") from None
    if len(observations) == 0:
        raise ConfigError(f"{source}: observations: none of the {len(selected)} selected runs has the "
                          f"required IRFs ({oc.required_irf})")
    return store, observations


def energy_axis(axis, name, method="from_energy_bounds"):
    from ..maps import MapAxis

    if method == "from_bounds":
        return MapAxis.from_bounds(float(axis.min), float(axis.max), nbin=axis.nbins, interp="log",
                                   unit="TeV", name=name)
    return MapAxis.from_energy_bounds(float(axis.min), float(axis.max), nbin=axis.nbins, unit="TeV",
                                      per_decade=axis.per_decade, name=name)


def sky_region(circle):
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from regions import CircleSkyRegion, PointSkyRegion

    center = SkyCoord(circle.lon, circle.lat, unit="deg", frame=circle.frame)
    if circle.radius is None:
        return PointSkyRegion(center=center)
    return CircleSkyRegion(center=center, radius=float(circle.radius) * u.deg)


def wcs_geom(geom, axes=None):
    from ..maps import WcsGeom

    width = tuple(float(w) for w in geom.width)
    return WcsGeom.create(skydir=(float(geom.skydir.lon), float(geom.skydir.lat)), frame=geom.skydir.frame,
                          width=width if len(width) == 2 else width[0], binsz=float(geom.binsz), proj=geom.proj,
                          axes=axes)


def _reference(config):
    from ..datasets import MapDataset, SpectrumDataset
    from ..maps import RegionGeom

    d = config.dataset
    energy = energy_axis(d.energy, "energy", config.axis_method)
    energy_true = None if d.energy_true is None else energy_axis(d.energy_true, "energy_true", config.axis_method)
    if d.type == "map":
        geom = wcs_geom(d.geom, axes=[energy])
        binsz_irf = None if d.geom.binsz_irf is None else float(d.geom.binsz_irf)
        return MapDataset.create(geom, energy_axis_true=energy_true, binsz_irf=binsz_irf, name=d.name)
    geom = RegionGeom.create(region=sky_region(d.on_region), axes=[energy])
    return SpectrumDataset.create(geom, energy_axis_true=energy_true, name=d.name)


def _exclusion_mask(config, reference, source):
    ex = config.exclusion
    if ex is None:
        return None
    if ex.file is not None:
        from ..maps import Map

        path = Path(os.path.expandvars(ex.file))
        path = path if path.is_absolute() else Path(config.base_dir) / path
        try:
            mask = Map.read(path)
        except (OSError, GammabinError, ValueError) as exc:
            raise ConfigError(f"{source}: exclusion.file: cannot read a sky map from {path}: {exc}") from None
        mask.data = mask.data.astype(bool)
        return mask
    if ex.geom is not None:
        geom = wcs_geom(ex.geom)
    elif config.dataset.type == "map":
        geom = reference._geom.to_image()
    else:  # a spectrum: a grid around the ON region wide enough for reflected regions
        from .schema import AngleDeg, SkyPosition, WcsGeomConfig

        on = config.dataset.on_region
        geom = wcs_geom(WcsGeomConfig(SkyPosition(on.lon, on.lat, on.frame), [AngleDeg(7.5)],
                                      AngleDeg(0.02), "TAN"))
    return geom.region_mask([sky_region(c) for c in ex.regions], inside=False)


def _maker(entry, where, source, telescope=None):
    from ..makers.from_config import maker_from_dict

    try:
        return maker_from_dict(entry, telescope=telescope)
    except (MakerParameterError, UnknownTagError) as exc:
        text = exc.args[0] if exc.args else str(exc)
        raise ConfigError(f"{source}: {where}: {text}") from None


def _inject_exclusion(makers, mask):
    """Makers with an unset ``exclusion_mask`` field get the config's mask."""
    if mask is None:
        return makers
    for maker in makers:
        if attrs.has(type(maker)) and "exclusion_mask" in attrs.fields_dict(type(maker)) \
                and getattr(maker, "exclusion_mask") is None:
            maker.exclusion_mask = mask
    return makers


def _chain(config, source):
    """(per_run, after_stacking) maker dicts from the dataset/background/safe_mask sections."""
    d = config.dataset
    method = config.background.method
    params = dict(config.background.parameters)
    if d.type == "map":
        dataset_maker = {"tag": "MapDatasetMaker"}
    else:
        dataset_maker = {"tag": "SpectrumDatasetMaker", "containment_correction": d.containment_correction}
        if d.selection is None and method in ("reflected", "wobble", "phase"):
            dataset_maker["selection"] = ["counts", "exposure", "edisp"]
    if d.selection is not None:
        dataset_maker["selection"] = list(d.selection)
    background = None
    if BACKGROUND_METHODS[method] is not None:
        background = {"tag": BACKGROUND_METHODS[method], **params}
        if method == "wobble":
            finder = dict(background.pop("region_finder", {}) or {})
            finder.setdefault("n_off_regions", background.pop("n_off_regions", 3))
            background["region_finder"] = {"tag": "WobbleRegionsFinder", **finder}
    safe = None
    if config.safe_mask is not None and config.safe_mask.methods:
        safe = {"tag": "SafeMaskMaker", "methods": list(config.safe_mask.methods), **config.safe_mask.parameters}
    after = []
    if d.type == "map":  # gammapy's 3D order: dataset, safe mask, background
        chain = [dataset_maker, safe]
        if method in ("ring", "adaptive-ring") and config.stack:
            after = [background]  # ring backgrounds on the stacked (image) dataset
        else:
            chain.append(background)
    else:  # 1D order: dataset, background, safe mask
        chain = [dataset_maker, background, safe]
    return [m for m in chain if m is not None], after


@attrs.define
class Reduction:
    """Everything a run of ``gammabin reduce`` needs, built from one config."""

    config: object
    source: str
    store: object
    observations: list
    reference: object  # MapDataset or SpectrumDataset (empty)
    makers: list  # run on every observation
    after_stacking: list  # run once on the stacked dataset (ring backgrounds)
    exclusion_mask: object = None
    on_region: object = None

    @property
    def dataset_type(self):
        return self.config.dataset.type

    @property
    def output_dir(self):
        out = Path(os.path.expandvars(self.config.output.dir))
        return out if out.is_absolute() else Path.cwd() / out


def build_reduction(config, source="<config>", observations=True):
    """Turn ``config`` into a :class:`Reduction` (``observations=False``: skip the data store)."""
    reference = _reference(config)
    mask = _exclusion_mask(config, reference, source)
    telescope = None
    store, obs = None, []
    if observations:
        store, obs = select_observations(config, source)
        telescope = _telescope(store)
    if config.makers is not None:
        makers = []
        for index, entry in enumerate(config.makers):
            makers.append(_maker(entry, f"makers[{index}]", source, telescope))
        after = []
    else:
        per_run, after_dicts = _chain(config, source)
        section = {"MapDatasetMaker": "dataset", "SpectrumDatasetMaker": "dataset", "SafeMaskMaker": "safe_mask"}
        makers = [_maker(m, section.get(m["tag"], "background.parameters"), source, telescope) for m in per_run]
        after = [_maker(m, "background.parameters", source, telescope) for m in after_dicts]
    _inject_exclusion(makers + after, mask)
    on_region = None if config.dataset.on_region is None else sky_region(config.dataset.on_region)
    return Reduction(config=config, source=source, store=store, observations=list(obs), reference=reference,
                     makers=makers, after_stacking=after, exclusion_mask=mask, on_region=on_region)


def _telescope(store):
    table = store.obs_table
    for key in ("TELESCOP", "TELESCOPE"):
        value = table.meta.get(key)
        if value:
            return str(value)
    return None
