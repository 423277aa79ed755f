"""Reduction configs: gammabin's YAML schema (attrs + cattrs), gammapy ``AnalysisConfig``
files, and the objects they describe (geometry, reference dataset, makers, observations)."""
from .build import Reduction, build_reduction, select_observations
from .loading import ConfigError, config_from_dict, is_gammapy_config, load_config
from .schema import ReductionConfig

__all__ = ["ConfigError", "load_config", "config_from_dict", "is_gammapy_config", "ReductionConfig",
           "Reduction", "build_reduction", "select_observations"]
