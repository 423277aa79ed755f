"""Plugin discovery, isolation, conflicts and disabling, with fake installed
distributions (a ``*.dist-info`` folder on ``sys.path`` per case)."""
import logging
import re
import sys
from pathlib import Path

import attrs
import pytest

import gammabin.plugins as plugins
from gammabin import hookimpl
from gammabin.errors import MakerParameterError, PluginConflictError, PluginError, UnknownTagError
from gammabin.makers import MAKER_REGISTRY, Maker, maker_from_dict

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def install(monkeypatch):
    """Put fake plugin distributions on sys.path; the manager is rebuilt around the test."""
    added = []

    def _install(*cases):
        for case in cases:
            monkeypatch.syspath_prepend(str(FIXTURES / case))
            added.append(f"gammabin_test_{case}")
        plugins.reset()

    plugins.reset()
    yield _install
    for module in added:
        sys.modules.pop(module, None)
    monkeypatch.undo()
    plugins.reset()


def _record(name):
    return {r.name: r for r in plugins.plugin_records()}[name]


def test_third_party_maker_found_through_its_entry_point(install):
    install("extra")
    cls = MAKER_REGISTRY.get_cls("ExtraMaker")
    assert cls.__module__ == "gammabin_test_extra"
    record = _record("extra")
    assert (record.status, record.distribution, record.version) == ("active", "gammabin_test_extra", "0.1")
    assert "gammabin_register_makers" in record.hooks
    # built-ins come first, third-party makers after them, each exactly once
    classes = list(MAKER_REGISTRY)
    assert classes.index(MAKER_REGISTRY.get_cls("MapDatasetMaker")) < classes.index(cls)
    assert classes.count(cls) == 1
    assert "gammabin_test_extra" in MAKER_REGISTRY.table()


def test_gammapy_name_import_resolves_through_registry(install):
    install("extra")
    from gammabin.makers import ExtraMaker, MapDatasetMaker

    assert ExtraMaker is MAKER_REGISTRY.get_cls("ExtraMaker")
    assert issubclass(MapDatasetMaker, Maker)
    with pytest.raises(ImportError):
        from gammabin.makers import NoSuchMaker  # noqa: F401


def test_tag_conflict_names_both_plugins_and_other_tags_still_work(install):
    install("extra", "conflict")
    with pytest.raises(PluginConflictError) as info:
        MAKER_REGISTRY.get_cls("ExtraMaker")
    message = str(info.value)
    assert "gammabin_test_extra.ExtraMaker" in message
    assert "gammabin_test_conflict.OtherExtraMaker" in message
    assert "GAMMABIN_DISABLE_PLUGINS=" in message
    assert MAKER_REGISTRY.get_cls("UniqueMaker").__module__ == "gammabin_test_conflict"
    assert MAKER_REGISTRY.get_cls("MapDatasetMaker").__module__ == "gammabin_plugins.mapdataset"


def test_broken_plugin_is_reported_and_the_rest_load(install, caplog):
    with caplog.at_level(logging.WARNING, logger="gammabin.plugins"):
        install("broken", "extra")
        assert MAKER_REGISTRY.get_cls("ExtraMaker")
    record = _record("broken")
    assert record.status == "failed"
    assert "RuntimeError" in record.error and "broken on purpose" in record.error
    assert any("'broken'" in r.getMessage() and "GAMMABIN_DISABLE_PLUGINS=broken" in r.getMessage()
               for r in caplog.records)
    with pytest.raises(UnknownTagError, match="1 plugin\\(s\\) failed to load: broken"):
        MAKER_REGISTRY.get_cls("Nope")


def test_strict_mode_raises_for_a_broken_plugin(install, monkeypatch):
    monkeypatch.setenv("GAMMABIN_STRICT_PLUGINS", "1")
    install("broken")
    with pytest.raises(PluginError, match="'broken'.*broken on purpose"):
        plugins.get_plugin_manager()


def test_disable_by_name_blocks_before_import(install, monkeypatch):
    monkeypatch.setenv("GAMMABIN_DISABLE_PLUGINS", "broken, extra")
    install("broken", "extra")
    assert _record("broken").status == "blocked"
    assert _record("extra").status == "blocked"
    assert "gammabin_test_broken" not in sys.modules  # never imported
    with pytest.raises(UnknownTagError):
        MAKER_REGISTRY.get_cls("ExtraMaker")


def test_disabled_builtin_is_reported_as_disabled(install, monkeypatch):
    monkeypatch.setenv("GAMMABIN_DISABLE_PLUGINS", "mapdataset")
    install()
    with pytest.raises(UnknownTagError, match="built-in plugin 'mapdataset', which is blocked"):
        MAKER_REGISTRY.get_cls("MapDatasetMaker")


@pytest.mark.parametrize("value", ["0", "false", "OFF", "no"])
def test_autoload_off_keeps_builtins_only(install, monkeypatch, value):
    monkeypatch.setenv("GAMMABIN_PLUGIN_AUTOLOAD", value)
    install("extra")
    assert _record("extra").status == "blocked"
    assert MAKER_REGISTRY.get_cls("MapDatasetMaker")
    with pytest.raises(UnknownTagError):
        MAKER_REGISTRY.get_cls("ExtraMaker")


def test_autoload_off_with_explicit_plugin_list(install, monkeypatch):
    monkeypatch.setenv("GAMMABIN_PLUGIN_AUTOLOAD", "0")
    monkeypatch.setenv("GAMMABIN_PLUGINS", "extra")
    install("extra", "conflict")
    assert MAKER_REGISTRY.get_cls("ExtraMaker").__module__ == "gammabin_test_extra"
    assert _record("conflict").status == "blocked"


def test_bad_autoload_value_is_an_error(install, monkeypatch):
    monkeypatch.setenv("GAMMABIN_PLUGIN_AUTOLOAD", "maybe")
    install()
    with pytest.raises(PluginError, match="GAMMABIN_PLUGIN_AUTOLOAD='maybe'"):
        plugins.get_plugin_manager()


def test_incompatible_plugin_api_is_refused_with_the_version(install):
    install("badapi")
    record = _record("badapi")
    assert record.status == "failed"
    assert "plugin API 99" in record.error and "provides API 1." in record.error


def test_plugin_using_registry_at_import_is_named(install):
    install("reentrant")
    record = _record("reentrant")
    assert record.status == "failed"
    assert "'reentrant' uses the gammabin plugin registry while it is being imported" in record.error


def test_registration_returning_non_maker_is_flagged(install):
    install("badreturn")
    assert "MapDatasetMaker" in MAKER_REGISTRY
    assert "NotAMaker" not in MAKER_REGISTRY
    assert any(plugin == "badreturn" and "not a subclass" in problem
               for plugin, problem in MAKER_REGISTRY.problems)


def test_runtime_registration_reindexes(install):
    install()

    @attrs.define
    class NotebookMaker(Maker):
        tag = "NotebookMaker"

        def run(self, dataset, observation):
            return dataset

    class NotebookPlugin:
        @staticmethod
        @hookimpl
        def gammabin_register_makers():
            return [NotebookMaker]

    assert "NotebookMaker" not in MAKER_REGISTRY
    name = plugins.register(NotebookPlugin, name="notebook")
    assert MAKER_REGISTRY.get_cls("NotebookMaker") is NotebookMaker
    plugins.unregister(name)
    assert "NotebookMaker" not in MAKER_REGISTRY


def test_maker_from_dict_uses_attrs_fields(install):
    install("extra")
    maker = maker_from_dict({"tag": "ExtraMaker", "radius": "30 arcmin"})
    assert maker.radius.to_value("deg") == pytest.approx(0.5)
    with pytest.raises(MakerParameterError, match="ExtraMaker.radius: expected a quantity convertible to deg, got '1 s'"):
        maker_from_dict({"tag": "ExtraMaker", "radius": "1 s"})
    with pytest.raises(MakerParameterError, match="unknown parameter\\(s\\) radiuss; valid parameters: radius"):
        maker_from_dict({"tag": "ExtraMaker", "radiuss": 1})
    with pytest.raises(UnknownTagError, match="Did you mean 'ExtraMaker'"):
        maker_from_dict({"tag": "ExtraMakr"})


def test_registry_str_keeps_gammapy_format(install):
    install()
    text = str(MAKER_REGISTRY)
    assert text.startswith("Registry\n--------\n\n")
    lines = text.splitlines()[3:]
    assert any(re.fullmatch(r"MapDatasetMaker *: MapDatasetMaker ?", line) for line in lines)
    assert len({line.index(":") for line in lines}) == 1  # names padded to the longest
