"""The Maker base class every maker plugin subclasses."""
import abc

import attrs

__all__ = ["Maker"]


class Maker(abc.ABC):
    """A step of data reduction: ``run(dataset, observation) -> dataset``.

    Subclasses set a class attribute ``tag`` (by convention the class name; a
    list gives aliases, the first being the main tag) and implement :meth:`run`.
    Make them ``attrs.define`` classes: their fields are the parameter schema
    from which configurations, the CLI and the docs build and describe them.
    ``Maker`` itself has no ``__init__`` so non-attrs makers work too.
    """

    tag = None

    @abc.abstractmethod
    def run(self, dataset, observation):
        """Return a new or updated dataset for one observation."""

    def _parameters(self):
        if attrs.has(type(self)):
            return [(f.name, getattr(self, f.name)) for f in attrs.fields(type(self)) if f.init]
        return [(k, v) for k, v in vars(self).items() if not k.startswith("_")]

    def __str__(self):
        name = type(self).__name__
        lines = [name, "-" * len(name), ""]
        params = [(k, v) for k, v in self._parameters() if v is not None]
        width = max((len(k) for k, _ in self._parameters()), default=0) + 1
        lines += [f"  {k:{width}s}: {v}" for k, v in params]
        return "\n".join(lines) + "\n"
