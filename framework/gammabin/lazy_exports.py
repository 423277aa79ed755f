"""Package names resolved on first access (PEP 562), so that importing a package (or
one of its submodules) does not import every submodule it re-exports."""
import importlib
import sys

__all__ = ["lazy_exports"]


def lazy_exports(package, exports):
    """``(__getattr__, __dir__)`` for ``package`` ("gammabin.irf"): each name of
    ``exports`` ({name: submodule of the package}) is imported when first asked for,
    then kept in the package's namespace."""
    namespace = vars(sys.modules[package])

    def __getattr__(name):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
