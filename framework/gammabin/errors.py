"""Exception types.  Every message names the file, HDU, key, maker or plugin at fault
and what was expected; the classes also derive from the builtin gammapy raises in the
same situation, so ``except ValueError`` code keeps working."""

__all__ = [
    "GammabinError",
    "DataFormatError",
    "MissingHDUError",
    "MissingColumnError",
    "MissingKeyError",
    "UnitMismatchError",
    "MissingRequiredHDU",
    "UnknownObservationError",
    "MakerParameterError",
    "PluginError",
    "PluginConflictError",
    "UnknownTagError",
]


class GammabinError(Exception):
    """Base class of every error gammabin raises on purpose."""


class DataFormatError(GammabinError, ValueError):
    """A file exists but its content is not what the format requires."""


class MissingHDUError(DataFormatError, KeyError):
    """A FITS file lacks the HDU the index or the caller asked for."""

    __str__ = Exception.__str__  # KeyError would quote the message


class MissingColumnError(DataFormatError, KeyError):
    """A table lacks a required column."""

    __str__ = Exception.__str__


class MissingKeyError(DataFormatError, KeyError):
    """A header lacks a required keyword."""

    __str__ = Exception.__str__


class UnitMismatchError(DataFormatError):
    """A column or header value carries a unit that cannot be converted to the expected one."""


class MissingRequiredHDU(GammabinError, IOError):
    """An observation lacks an IRF or event HDU the caller required."""


class UnknownObservationError(GammabinError, ValueError):
    """An observation id is not in the data store's HDU index."""


class MakerParameterError(GammabinError, ValueError):
    """A maker parameter has the wrong type, unit or value."""


class PluginError(GammabinError):
    """A plugin could not be loaded or misbehaved."""


class PluginConflictError(PluginError):
    """Two plugins claim the same maker tag."""


class UnknownTagError(GammabinError, KeyError):
    """No registered maker has the requested tag."""

    __str__ = Exception.__str__
