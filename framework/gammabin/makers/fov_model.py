"""The FoV background model: a norm-type spectral factor (and optional spatial factor)
multiplying a dataset's background template (background-makers.md §6, datasets-makers.md
§1.6).  ``MapDataset.npred_background`` finds it by class name and calls
:meth:`FoVBackgroundModel.evaluate_geom`; no modelling stack beyond that."""
import copy as _copy

import numpy as np
from astropy import units as u

__all__ = ["Parameter", "Parameters", "PowerLawNormSpectralModel", "FoVBackgroundModel", "Models",
           "norm_spectral_model"]


class Parameter:
    """A named model parameter (value in ``unit``, ``frozen`` flag, ``error``)."""

    def __init__(self, name, value, unit="", frozen=False, error=0.0):
        self.name = name
        self.value = float(value)
        self.unit = u.Unit(unit)
        self.frozen = bool(frozen)
        self.error = float(error)

    @property
    def quantity(self):
        return u.Quantity(self.value, self.unit)

    def __repr__(self):
        return f"Parameter(name={self.name!r}, value={self.value}, unit={self.unit!s}, frozen={self.frozen})"


class Parameters(list):
    @property
    def free_parameters(self):
        return Parameters(p for p in self if not p.frozen)

    @property
    def names(self):
        return [p.name for p in self]

    def __getitem__(self, key):
        if isinstance(key, str):
            for p in self:
                if p.name == key:
                    return p
            raise KeyError(key)
        return super().__getitem__(key)


class PowerLawNormSpectralModel:
    """``norm · (E / reference)^(−tilt)``; defaults norm 1, tilt 0 (frozen), reference 1 TeV (frozen)."""

    tag = ["PowerLawNormSpectralModel", "pl-norm"]

    def __init__(self, norm=1.0, tilt=0.0, reference="1 TeV"):
        self.norm = Parameter("norm", norm)
        self.tilt = Parameter("tilt", tilt, frozen=True)
        ref = u.Quantity(reference)
        self.reference = Parameter("reference", ref.value, ref.unit, frozen=True)

    @property
    def parameters(self):
        return Parameters([self.norm, self.tilt, self.reference])

    def evaluate_tev(self, energy_tev):
        """Factor at energies in TeV (floats)."""
        reference = self.reference.quantity.to_value("TeV")
        return self.norm.value * (np.asarray(energy_tev, dtype=float) / reference) ** (-self.tilt.value)

    def __call__(self, energy):
        return self.evaluate_tev(u.Quantity(energy).to_value("TeV"))

    def copy(self):
        return _copy.deepcopy(self)


_NORM_MODELS = {tag: PowerLawNormSpectralModel for tag in PowerLawNormSpectralModel.tag}


def norm_spectral_model(model):
    """A norm-type spectral model from a model or its tag (ValueError otherwise)."""
    if isinstance(model, str):
        if model not in _NORM_MODELS:
            raise ValueError(f"{model!r} is not a norm spectral model tag (known: {sorted(_NORM_MODELS)})")
        return _NORM_MODELS[model]()
    if not hasattr(model, "norm") or not hasattr(model, "evaluate_tev"):
        raise ValueError(f"A norm spectral model is required, got {type(model).__name__}")
    return model


class FoVBackgroundModel:
    """Background model of one dataset, named ``"<dataset name>-bkg"``."""

    tag = ["FoVBackgroundModel", "fov-bkg"]

    def __init__(self, dataset_name, spectral_model=None, spatial_model=None):
        self.datasets_names = [dataset_name]
        self.name = f"{dataset_name}-bkg"
        self.spectral_model = norm_spectral_model("pl-norm" if spectral_model is None else spectral_model)
        self.spatial_model = spatial_model

    @property
    def parameters(self):
        params = list(self.spectral_model.parameters)
        if self.spatial_model is not None:
            params += list(getattr(self.spatial_model, "parameters", []))
        return Parameters(params)

    def evaluate_geom(self, geom):
        """Factor broadcastable to ``geom.data_shape``: spectral at the reco-bin centres
        (geometric mean for log axes) × spatial at the pixel centres if any."""
        axis = geom.axes["energy"]
        factor = self.spectral_model.evaluate_tev(axis.center.to_value("TeV"))
        shape = [1] * len(geom.data_shape)
        shape[geom.axes.index_data("energy")] = axis.nbin
        factor = factor.reshape(shape)
        if self.spatial_model is not None:
            factor = factor * np.asarray(self.spatial_model.evaluate_geom(geom.to_image()))
        return factor

    def copy(self):
        return _copy.deepcopy(self)

    def __str__(self):
        lines = ["FoVBackgroundModel", "", f"  Name                      : {self.name}",
                 f"  Datasets names            : {self.datasets_names}", "  Parameters:"]
        lines += [f"    {p.name:<24}{'(frozen)' if p.frozen else '        '}: {p.value:10.3f}  {p.unit!s}"
                  for p in self.parameters]
        return "\n".join(lines) + "\n"


class Models(list):
    """List of models with lookup by name (``models["<name>-bkg"]``)."""

    def __getitem__(self, key):
        if isinstance(key, str):
            for model in self:
                if getattr(model, "name", None) == key:
                    return model
            raise KeyError(f"No model named {key!r}")
        return super().__getitem__(key)

    @property
    def names(self):
        return [getattr(m, "name", None) for m in self]

    @property
    def parameters(self):
        return Parameters(p for m in self for p in getattr(m, "parameters", []))

    def __add__(self, other):
        other = other if isinstance(other, (list, tuple)) else [other]
        return Models(list(self) + list(other))

    def __str__(self):
        return "DatasetModels\n\n" + "\n".join(str(m) for m in self)
