"""The hook contract: documented, versioned, and the core's run-maker fallback."""
import inspect

import attrs
import pytest

import gammabin.plugins as plugins
from gammabin import hookimpl, hookspecs
from gammabin.makers import Maker

HOOKS = [name for name in dir(hookspecs) if name.startswith("gammabin_")]


def test_expected_hooks_exist():
    assert {
        "gammabin_register_makers", "gammabin_register_region_finders", "gammabin_read_irf",
        "gammabin_observation_loaded", "gammabin_dataset_made", "gammabin_run_maker",
    } <= set(HOOKS)
    assert hookspecs.PLUGIN_API[0] == 1


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc and len(doc) > 40
    for parameter in inspect.signature(getattr(hookspecs, name)).parameters:
        assert parameter in doc, f"{name}: argument {parameter!r} undocumented"


@pytest.fixture
def fresh_manager():
    plugins.reset()
    yield plugins.get_plugin_manager()
    plugins.reset()


@attrs.define
class _DoubleMaker(Maker):
    tag = "_DoubleMaker"

    def run(self, dataset, observation):
        return dataset * 2


def test_run_maker_core_fallback_calls_run(fresh_manager):
    assert fresh_manager.hook.gammabin_run_maker(maker=_DoubleMaker(), dataset=21, observation=None) == 42


def test_run_maker_wrapper_sees_every_call(fresh_manager):
    seen = []

    class Timing:
        @staticmethod
        @hookimpl(wrapper=True)
        def gammabin_run_maker(maker, dataset):
            seen.append((maker.tag, dataset))
            result = yield
            return result + 1

    plugins.register(Timing, name="timing")
    assert fresh_manager.hook.gammabin_run_maker(maker=_DoubleMaker(), dataset=5, observation=None) == 11
    assert seen == [("_DoubleMaker", 5)]


def test_read_irf_hook_first_answer_wins(fresh_manager):
    class Reader:
        @staticmethod
        @hookimpl
        def gammabin_read_irf(hdu_class):
            return {"read": hdu_class} if hdu_class == "psf_custom" else None

    plugins.register(Reader, name="reader")
    hook = fresh_manager.hook.gammabin_read_irf
    assert hook(hdu=None, hdu_class="psf_custom", hdu_type="psf", filename="x") == {"read": "psf_custom"}
    assert hook(hdu=None, hdu_class="other", hdu_type="psf", filename="x") is None
