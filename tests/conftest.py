"""What many test files share: the seeds extracted once per run (the paths are in paths.py).

`pytest -m "not slow"` leaves out the tests marked slow (pyproject.toml lists
the marker); `.ci/run` runs them all.
"""

import pytest
from typer.testing import CliRunner

from claimrows import WEIHAI_2022, WEIHAI_2026
from extractor import extract_paths
from extractor.cli import app
from extractor.sources import load_side
from paths import ROOT, SEEDS


@pytest.fixture(scope="session")
def seeds_dataset(tmp_path_factory):
    """The dataset `extractor extract seeds --out DIR --quiet` writes from the project root, as the README runs
    it. Shared by every test that reads it: copy it before changing anything in it."""
    out = tmp_path_factory.mktemp("seeds") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        result = CliRunner().invoke(app, ["extract", "seeds", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def seeds_claims():
    """The claims of every seed document, as `extract_paths` gives them (do not change the frame in place)."""
    return extract_paths([SEEDS])


@pytest.fixture(scope="session")
def weihai():
    """The two 威海 replies (2022 and 2026) as dataset sides, for the diff and series tests."""
    return load_side(WEIHAI_2022), load_side(WEIHAI_2026)
