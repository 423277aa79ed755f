"""Hook-spec stability (plugins.md §5): a renamed or deprecated hook keeps its spec
marked ``warn_on_impl``, so a plugin implementing it gets pluggy's warning when it is
registered, and keeps working."""
import types

import pluggy
import pytest

import gammabin.plugins as plugins
from gammabin import hookimpl

hookspec = pluggy.HookspecMarker("gammabin")


def _deprecated_specs():
    """A test-only spec module: ``gammabin_old_name`` renamed to ``gammabin_register_makers``."""
    module = types.ModuleType("gammabin_test_deprecated_specs")

    @hookspec(warn_on_impl=DeprecationWarning(
        "gammabin_old_name is deprecated since plugin API 1.1; implement gammabin_register_makers"))
    def gammabin_old_name():
        """Old name of gammabin_register_makers."""

    module.gammabin_old_name = gammabin_old_name
    return module


class OldPlugin:
    @staticmethod
    @hookimpl
    def gammabin_old_name():
        return ["old"]


@pytest.fixture
def manager():
    plugins.reset()
    pm = plugins.get_plugin_manager()
    pm.add_hookspecs(_deprecated_specs())
    yield pm
    plugins.reset()


def test_implementing_a_deprecated_hook_warns_and_still_runs(manager):
    with pytest.warns(DeprecationWarning, match="gammabin_old_name is deprecated.*gammabin_register_makers"):
        plugins.register(OldPlugin, name="old-plugin")
    assert manager.hook.gammabin_old_name() == [["old"]]


def test_current_hooks_do_not_warn(manager, recwarn):
    class Current:
        @staticmethod
        @hookimpl
        def gammabin_register_makers():
            return []

    plugins.register(Current, name="current-plugin")
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]
