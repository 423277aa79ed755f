"""{{ cookiecutter.description }}.

This module is the plugin gammabin loads (entry point ``{{ cookiecutter.plugin_name }}``):
it holds the hook implementations only, so importing it stays cheap.
"""
from gammabin import hookimpl

from .maker import {{ cookiecutter.maker_class }}

__all__ = ["{{ cookiecutter.maker_class }}"]

#: The gammabin plugin API this package is written for; another major is refused.
GAMMABIN_PLUGIN_API = 1


@hookimpl
def gammabin_register_makers():
    return [{{ cookiecutter.maker_class }}]
