"""One observation: events, GTI and IRFs, each loaded on first access and cached.

A run file is decompressed and parsed at most once (``fits_reading.open_fits``), and
each HDU is turned into its object once per observation.  Cached IRFs are shared:
callers that modify an IRF in place (the background's missing-data filling) must
work on a copy.
"""
import copy as _copy
import os
import threading
import warnings
from collections import OrderedDict

import numpy as np
from astropy import units as u

from gammabin.errors import DataFormatError, MissingKeyError
from gammabin.fitsio import write_fits_atomic

from .event_list import EventList
from .fits_reading import open_fits
from .gti import GTI
from .observation_filter import ObservationFilter
from .paths import make_path
from .pointing import FixedPointingInfo

__all__ = ["Observation", "ObservationMeta", "LazyHDU", "IRF_TYPES"]

IRF_TYPES = ("aeff", "edisp", "psf", "bkg", "rad_max")
_HDU_TYPES = ("events", "gti", *IRF_TYPES)

# Core IRF classes (spec §1.3); anything else goes to the gammabin_read_irf hook.
_KNOWN_IRF_CLASSES = {"aeff_2d", "edisp_2d", "psf_table", "psf_3gauss", "psf_king", "bkg_2d", "bkg_3d", "rad_max_2d"}

_HESS_CREATOR = "SASH FITS::EventListWriter"


class LazyHDU:
    """A not-yet-loaded HDU: file path, HDU name, type and class tag."""

    def __init__(self, path, hdu_name, hdu_type, hdu_class):
        self.path = make_path(path)
        self.hdu_name = hdu_name
        self.hdu_type = hdu_type
        self.hdu_class = hdu_class

    def __repr__(self):
        return f"LazyHDU({str(self.path)!r}, hdu={self.hdu_name!r}, type={self.hdu_type!r}, class={self.hdu_class!r})"

    @property
    def fits_file(self):
        return open_fits(self.path)

    def header(self, fits_file=None):
        return (fits_file or self.fits_file).header(self.hdu_name)

    def load(self, fits_file=None):
        fits_file = fits_file or self.fits_file
        if self.hdu_type == "events":
            return EventList.from_fits_file(fits_file, self.hdu_name)
        if self.hdu_type == "gti":
            return GTI.from_fits_file(fits_file, self.hdu_name)
        return _load_irf(fits_file, self.hdu_name, self.hdu_class, self.hdu_type)


# Process-wide cache of IRFs read from files, keyed by (real path, mtime, size, HDU,
# class): runs that share an IRF file (CTA 1DC), or the same run loaded again, parse
# it once.  The cached IRF's data array is made read-only and every caller gets its
# own shallow view (own meta, own attributes), so an in-place change of the shared
# numbers raises instead of leaking into another observation; ``irf.data = ...``
# rebinds only that view.  gammapy re-reads the file each time: same numbers.
_IRF_CACHE = OrderedDict()
_IRF_CACHE_SIZE = 64
_IRF_LOCK = threading.Lock()


def _irf_view(template):
    view = template.__class__.__new__(template.__class__)
    view.__dict__.update(template.__dict__)
    view.meta = dict(template.meta)
    if isinstance(getattr(template, "interp_kwargs", None), dict):
        view.interp_kwargs = dict(template.interp_kwargs)
    return view


def _freeze(irf):
    data = getattr(irf, "_data", None)
    if not isinstance(data, np.ndarray) or not hasattr(irf, "meta"):
        return False  # not a table IRF (plugin class): no sharing
    data.setflags(write=False)
    return True


def _load_irf(fits_file, hdu_name, hdu_class, hdu_type):
    from gammabin.irf import read_irf_hdu  # irf (and scipy) only when an IRF is asked for

    path = str(fits_file.path)
    try:
        stat = os.stat(path)
        key = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size, str(hdu_name).upper(), hdu_class, hdu_type)
    except OSError:
        key = None
    with _IRF_LOCK:
        template = _IRF_CACHE.get(key) if key is not None else None
        if template is not None:
            _IRF_CACHE.move_to_end(key)
    if template is None:
        irf = read_irf_hdu(fits_file.view(hdu_name), hdu_class, hdu_type, path)  # no astropy HDU objects
        if key is None or irf is None or not _freeze(irf):
            return irf
        template = irf
        with _IRF_LOCK:
            _IRF_CACHE[key] = template
            while len(_IRF_CACHE) > _IRF_CACHE_SIZE:
                _IRF_CACHE.popitem(last=False)
    return _irf_view(template)


def clear_irf_cache():
    with _IRF_LOCK:
        _IRF_CACHE.clear()


class ObservationMeta:
    """Observation metadata from the EVENTS header (``header`` keeps every key)."""

    def __init__(self, header, where="EVENTS header"):
        self.header = dict(header)
        self.where = where
        get = self.header.get
        self.obs_id = get("OBS_ID")
        self.telescope = get("TELESCOP")
        self.instrument = get("INSTRUME")
        self.observation_mode = get("OBS_MODE")
        self.creator = get("CREATOR")
        self.target_name = get("OBJECT")

    def __repr__(self):
        return f"ObservationMeta(obs_id={self.obs_id}, telescope={self.telescope!r}, instrument={self.instrument!r})"

    def key(self, key, cast=float):
        if key not in self.header:
            raise MissingKeyError(f"header key {key!r} missing from {self.where}")
        try:
            return cast(self.header[key])
        except (TypeError, ValueError) as exc:
            raise DataFormatError(f"header key {key!r} in {self.where} is {self.header[key]!r}, expected a number") from exc

    @property
    def deadtime_fraction(self):
        """1 − DEADC."""
        return 1 - self.key("DEADC")

    @property
    def location(self):
        """EarthLocation from GEOLON, GEOLAT (deg) and GEOALT, else ALTITUDE (m)."""
        lon, lat = self.key("GEOLON"), self.key("GEOLAT")
        alt_key = "GEOALT" if "GEOALT" in self.header else "ALTITUDE"
        height = self.key(alt_key)
        from astropy.coordinates import EarthLocation  # lazy (import time)
        return EarthLocation.from_geodetic(lon=lon * u.deg, lat=lat * u.deg, height=height * u.m)

    @property
    def target_position(self):
        ra, dec = self.header.get("RA_OBJ", np.nan), self.header.get("DEC_OBJ", np.nan)
        from astropy.coordinates import SkyCoord  # lazy (import time)
        return SkyCoord(float(ra), float(dec), unit="deg", frame="icrs")


class Observation:
    """Events, GTI and IRFs of one observation.

    Each of ``events, gti, aeff, edisp, psf, bkg, rad_max`` may be an object, a
    ``LazyHDU`` (loaded on first access) or ``None``.
    """

    def __init__(self, obs_id=None, meta=None, gti=None, aeff=None, edisp=None, psf=None, bkg=None,
                 rad_max=None, events=None, obs_filter=None, pointing=None, location=None):
        self._sources = {"events": events, "gti": gti, "aeff": aeff, "edisp": edisp, "psf": psf,
                         "bkg": bkg, "rad_max": rad_max}
        self._cache = {}
        self._obs_id = obs_id
        self._meta = meta
        self._pointing = pointing
        self._location = location
        self.obs_filter = obs_filter or ObservationFilter()

    @property
    def obs_filter(self):
        return self._obs_filter

    @obs_filter.setter
    def obs_filter(self, value):
        self._obs_filter = value
        self._cache = {k: v for k, v in getattr(self, "_cache", {}).items() if not k.startswith("filtered_")}

    # --- lazy loading -------------------------------------------------------------------
    def _raw(self, name):
        if name in self._cache:
            return self._cache[name]
        source = self._sources.get(name)
        if isinstance(source, LazyHDU):
            value = source.load(self._file_for(source))
            if name == "bkg":
                self._apply_hess_fov_quirk(value)
            self._release_file_if_done(source.path)
        else:
            value = source
        if name == "rad_max" and value is None:
            value = self._rad_max_from_header_key()
        self._cache[name] = value
        return value

    def _file_for(self, source):
        """The observation keeps each file it reads until all its HDUs are loaded, so a
        run file is decompressed once even if the shared cache evicted it meanwhile."""
        files = self.__dict__.setdefault("_files", {})
        if source.path not in files:
            files[source.path] = open_fits(source.path)
        return files[source.path]

    def _pending(self):
        """(name, path) of the HDUs still to load from files."""
        return [(name, src.path) for name, src in self._sources.items()
                if isinstance(src, LazyHDU) and name not in self._cache]

    def _pending_files(self):
        """Paths of the files holding HDUs this observation has not loaded yet, except
        those it already holds open (read ahead, or being loaded from)."""
        held = self.__dict__.get("_files", {})
        return sorted({path for _, path in self._pending() if path not in held}, key=str)

    def _adopt_file(self, path, fits_file):
        """Keep ``fits_file`` (read ahead) for the HDUs still to load from ``path``."""
        if path in self._pending_files():
            self.__dict__.setdefault("_files", {}).setdefault(path, fits_file)  # the reader may have just opened it

    def _release_file_if_done(self, path):
        if sum(p == path for _, p in self._pending()) <= 1:  # the one being loaded now
            self.__dict__.get("_files", {}).pop(path, None)

    def _set(self, name, value):
        self._sources[name] = value
        self._cache.pop(name, None)
        self._cache.pop(f"filtered_{name}", None)
        if name in ("aeff", "edisp"):
            self._cache.pop("rad_max", None)
        if name == "events":
            self._cache.pop("header", None)

    def _apply_hess_fov_quirk(self, bkg):
        """H.E.S.S. DR1 (SASH writer, HDUVERS 0.2): background FoV longitude reversed (§1.5)."""
        header = self._events_header
        if bkg is None or header is None:
            return
        if str(header.get("CREATOR", "")).strip() == _HESS_CREATOR and str(header.get("HDUVERS", "")).strip() == "0.2":
            bkg.fov_alignment = _reverse_lon_radec()

    def _rad_max_from_header_key(self):
        """Point-like AEFF (else EDISP) with a RAD_MAX header key → fixed one-bin table."""
        for name in ("aeff", "edisp"):
            if self._sources.get(name) is None:
                continue
            irf = self._raw(name)
            if irf is not None and getattr(irf, "is_pointlike", False):
                if "RAD_MAX" not in getattr(irf, "meta", {}):
                    continue
                from gammabin.irf import RadMax2D

                return RadMax2D.from_irf(irf)
        return None

    @property
    def events(self):
        key = "filtered_events"
        if key not in self._cache:
            raw = self._raw("events")
            self._cache[key] = raw if raw is None or not self.obs_filter.is_active else self.obs_filter.filter_events(raw)
        return self._cache[key]

    @events.setter
    def events(self, value):
        if value is not None and not isinstance(value, (EventList, LazyHDU)):
            raise TypeError(f"events must be an EventList, got {type(value).__name__}")
        self._set("events", value)

    @property
    def gti(self):
        key = "filtered_gti"
        if key not in self._cache:
            raw = self._raw("gti")
            self._cache[key] = raw if raw is None or self.obs_filter.time_filter is None else self.obs_filter.filter_gti(raw)
        return self._cache[key]

    @gti.setter
    def gti(self, value):
        if value is not None and not isinstance(value, (GTI, LazyHDU)):
            raise TypeError(f"gti must be a GTI, got {type(value).__name__}")
        self._set("gti", value)

    aeff = property(lambda self: self._raw("aeff"), lambda self, v: self._set("aeff", v))
    edisp = property(lambda self: self._raw("edisp"), lambda self, v: self._set("edisp", v))
    psf = property(lambda self: self._raw("psf"), lambda self, v: self._set("psf", v))
    bkg = property(lambda self: self._raw("bkg"), lambda self, v: self._set("bkg", v))
    rad_max = property(lambda self: self._raw("rad_max"), lambda self, v: self._set("rad_max", v))

    def load_all(self):
        """Load every available HDU now (e.g. before timing-sensitive work)."""
        for name in self.available_hdus:
            self._raw(name)
        return self

    @property
    def available_hdus(self):
        return [name for name in _HDU_TYPES if self._sources.get(name) is not None]

    @property
    def available_irfs(self):
        return [name for name in self.available_hdus if name not in ("events", "gti")]

    # --- header-derived metadata ---------------------------------------------------------
    @property
    def _events_header(self):
        if "header" not in self._cache:
            source = self._sources.get("events")
            if isinstance(source, LazyHDU):
                header = source.header(self._file_for(source))
                header = {k: v for k, v in header.items() if k not in ("COMMENT", "HISTORY", "")}
            elif isinstance(source, EventList):
                header = source.meta
            else:
                header = None
            self._cache["header"] = header
        return self._cache["header"]

    def _events_where(self):
        source = self._sources.get("events")
        if isinstance(source, LazyHDU):
            return f"HDU {source.hdu_name!r} of {source.path}"
        return "EVENTS header"

    @property
    def meta(self):
        if self._meta is None:
            header = self._events_header
            if header is None:
                return None
            self._meta = ObservationMeta(header, self._events_where())
        return self._meta

    @property
    def obs_id(self):
        if self._obs_id is None and self.meta is not None:
            self._obs_id = self.meta.obs_id
        return self._obs_id

    @property
    def pointing(self):
        if self._pointing is None and self._events_header is not None:
            self._pointing = FixedPointingInfo.from_fits_header(self._events_header, self._events_where())
        return self._pointing

    def get_pointing_icrs(self, time):
        return self.pointing.get_icrs(time, self.observatory_earth_location if self.pointing.mode == "DRIFT" else None)

    def get_pointing_altaz(self, time):
        return self.pointing.get_altaz(time, self.observatory_earth_location)

    @property
    def pointing_radec(self):
        """``get_pointing_icrs(tmid)`` (gammapy 1.x attribute); (RA_PNT, DEC_PNT) for fixed pointings."""
        if self.pointing.mode != "DRIFT":
            return self.pointing.fixed_icrs
        return self.get_pointing_icrs(self.tmid)

    @property
    def _pointing_radec_deg(self):
        """(ra, dec) floats of the pointing at tmid, for makers."""
        icrs = self.pointing_radec
        return float(icrs.ra.deg), float(icrs.dec.deg)

    @property
    def target_radec(self):
        return self.meta.target_position

    @property
    def observatory_earth_location(self):
        if self._location is None:
            self._location = self.meta.location
        return self._location

    # --- times ------------------------------------------------------------------------------
    @property
    def tstart(self):
        return self.gti.time_start[0]

    @property
    def tstop(self):
        """Stop of the **first** GTI row (gammapy quirk for multi-row GTIs)."""
        return self.gti.time_stop[0]

    @property
    def tmid(self):
        return self.tstart + 0.5 * (self.tstop - self.tstart)

    @property
    def observation_time_duration(self):
        """Σ GTI (stop − start): the ontime that scales the background."""
        return self.gti.time_sum

    @property
    def observation_dead_time_fraction(self):
        """1 − DEADC of the EVENTS header (MissingKeyError naming file and key)."""
        if self.meta is None:
            raise MissingKeyError(f"observation {self.obs_id} has no EVENTS header to read DEADC from")
        return self.meta.deadtime_fraction

    @property
    def observation_live_time_duration(self):
        """GTI sum × (1 − dead-time fraction) × phase fraction: the live time of exposures."""
        return self.observation_time_duration * (1 - self.observation_dead_time_fraction) * self.obs_filter.livetime_fraction

    # --- derived observations ------------------------------------------------------------
    def copy(self, in_memory=False, **overrides):
        """Copy; with ``in_memory`` every attribute is loaded (filtered) and ``overrides`` replace some."""
        if not in_memory:
            if overrides:
                raise ValueError("Observation.copy: overriding attributes requires in_memory=True")
            new = _copy.copy(self)
            new._sources = dict(self._sources)
            new._cache = dict(self._cache)
            new._files = dict(self.__dict__.get("_files", {}))
            new.obs_filter = self.obs_filter.copy()
            return new
        kwargs = {
            "obs_id": self.obs_id, "meta": self.meta, "pointing": self._pointing_or_none(),
            "location": self._location, "events": self.events, "gti": self.gti,
        }
        kwargs.update({name: self._raw(name) for name in IRF_TYPES if self._sources.get(name) is not None})
        if "rad_max" not in kwargs and self.rad_max is not None:
            kwargs["rad_max"] = self.rad_max
        kwargs.update(overrides)
        return self.__class__(**kwargs)

    def _pointing_or_none(self):
        try:
            return self.pointing
        except IOError:
            return None

    def select_time(self, time_interval, inverted=False):
        """Copy whose events and GTI are restricted to ``time_interval`` on access."""
        new = self.copy()
        new.obs_filter = self.obs_filter.copy()
        new.obs_filter.time_filter = time_interval
        new.obs_filter.inverted_time = inverted
        new.obs_filter = new.obs_filter  # drop cached filtered events/GTI
        return new

    # --- I/O ----------------------------------------------------------------------------------
    @classmethod
    def read(cls, event_file, irf_file=None):
        """EVENTS and GTI from ``event_file``; IRFs scanned (``HDUCLAS1 = RESPONSE``) from
        ``irf_file`` or the same file (spec §1.11)."""
        event_file = make_path(event_file)
        fits_file = open_fits(event_file)
        events = LazyHDU(event_file, "EVENTS", "events", "events")
        gti = LazyHDU(event_file, "GTI", "gti", "gti") if fits_file.has_hdu("GTI") else None
        fits_file.header("EVENTS")  # fail early, naming the file
        irf_path = make_path(irf_file) if irf_file is not None else event_file
        irfs = scan_irf_hdus(irf_path)
        return cls(events=events, gti=gti, **irfs)

    def write(self, path, overwrite=False, format="gadf", include_irfs=True):
        """Write EVENTS (with pointing keys), GTI and each IRF as GADF HDUs, atomically."""
        if format != "gadf":
            raise ValueError(f'only the "gadf" format is supported, got {format!r}')
        path = make_path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists (use overwrite=True)")
        from astropy.io import fits  # lazy (import time)
        hdus = [fits.PrimaryHDU()]
        events = self.events
        if events is not None:
            pointing = self._pointing_or_none()
            if pointing is None:
                raise ValueError(f"cannot write observation {self.obs_id}: it has no pointing")
            hdu = events.to_table_hdu()
            for key, value in pointing.to_fits_header().items():
                hdu.header[key] = value
            hdus.append(hdu)
        if self.gti is not None:
            hdus.append(self.gti.to_table_hdu())
        if include_irfs:
            for name in IRF_TYPES:
                if self._sources.get(name) is None:
                    continue
                irf = self._raw(name)
                if irf is not None:
                    hdus.append(irf.to_table_hdu())
        from astropy.io import fits  # lazy (import time)
        write_fits_atomic(fits.HDUList(hdus), path, overwrite=True)

    def __str__(self):
        lines = [f"{self.__class__.__name__}", "", f"\tobs id            : {self.obs_id}"]
        try:
            ra, dec = self._pointing_radec_deg
            lines += [
                f"\ttstart            : {self.tstart.mjd:.2f}",
                f"\ttstop             : {self.tstop.mjd:.2f}",
                f"\tduration          : {self.observation_time_duration:.2f}",
                f"\tpointing (icrs)   : {ra:.1f} deg, {dec:.1f} deg",
                f"\tdeadtime fraction : {self.observation_dead_time_fraction:.1%}",
            ]
        except Exception as exc:  # a summary must not fail on incomplete data
            lines.append(f"\t(incomplete: {exc})")
        lines.append(f"\tavailable HDUs    : {', '.join(self.available_hdus)}")
        return "\n".join(lines)


def _reverse_lon_radec():
    try:
        from gammabin.irf import FoVAlignment

        return FoVAlignment.REVERSE_LON_RADEC
    except ImportError:
        return "REVERSE_LON_RADEC"


_HDUCLAS2_TYPES = {"EFF_AREA": "aeff", "RPSF": "psf"}


def scan_irf_hdus(path):
    """{type: LazyHDU or IRF} for the RESPONSE HDUs of ``path`` (first of each type wins).

    Type from HDUCLAS2 (EFF_AREA→aeff, RPSF→psf, else lower-cased); class from HDUCLAS4
    lower-cased, else ``<type>_<hduclas4>`` (CTA 1DC ``2D``, ``3GAUSS``).  Classes the
    core does not know are read now through the plugin hook, and skipped with a warning
    when no plugin answers."""
    fits_file = open_fits(path)
    found = {}
    for name in fits_file.hdu_names:
        header = fits_file.header(name)
        if str(header.get("HDUCLAS1", "")).strip().upper() != "RESPONSE":
            continue
        clas2 = str(header.get("HDUCLAS2", "")).strip().upper()
        hdu_type = _HDUCLAS2_TYPES.get(clas2, clas2.lower())
        if hdu_type not in IRF_TYPES:
            warnings.warn(f"skipping HDU {name!r} of {path}: unknown IRF type HDUCLAS2={clas2!r}")
            continue
        if hdu_type in found:
            continue
        clas4 = str(header.get("HDUCLAS4", "")).strip().lower()
        hdu_class = clas4 if clas4 in _KNOWN_IRF_CLASSES else f"{hdu_type}_{clas4}"
        lazy = LazyHDU(path, name, hdu_type, hdu_class)
        if hdu_class not in _KNOWN_IRF_CLASSES:
            try:
                found[hdu_type] = lazy.load()
            except Exception as exc:  # no plugin reads it: skip, as gammapy does
                warnings.warn(f"skipping HDU {name!r} of {path}: cannot read IRF class {hdu_class!r} ({exc})")
            continue
        found[hdu_type] = lazy
    return found
