"""Shared fixtures.  Data tests read ../shared/data (or $GAMMABIN_DATA); where it is
missing they skip with a reason, except under CI=true where they fail."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _truthy(value):
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def shared_dir():
    return REPO.parent / "shared"


def _require(path, what):
    if path.exists():
        return path
    reason = f"{what} not found at {path} (set GAMMABIN_DATA or put shared/ beside the repo)"
    if _truthy(os.environ.get("CI", "")):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir():
    """The real DL3 data folder (default ../shared/data)."""
    path = Path(os.environ.get("GAMMABIN_DATA", shared_dir() / "data"))
    return _require(path, "shared data")


@pytest.fixture(scope="session")
def reference_dir():
    """gammapy 2.1 reference outputs (../shared/reference)."""
    return _require(shared_dir() / "reference", "reference outputs")


@pytest.fixture(scope="session")
def hess_dir(data_dir):
    return _require(data_dir / "hess-dl3-dr1", "H.E.S.S. DL3 DR1")
