"""The package works installed, not only from a checkout: the sdist and the wheel
carry the rules, and the wheel installed into a fresh virtual environment
extracts, from a folder outside the repository, the same claims as this
checkout. `python -m build` makes the sdist and then the wheel from it, as a
user's pip would. `pytest -m "not slow"` leaves these out; .ci/run runs them.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import __version__
from extractor.cli import app
from extractor.pipeline import get_extractor
from paths import ROOT

pytestmark = pytest.mark.slow

RULE_FILES = sorted(ROOT.joinpath("rules").glob("*.toml"))
# A subprocess must not see this checkout through PYTHONPATH (how engineers run a worktree).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


def call(*args, cwd: Path) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    call(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return {"sdist": out / f"extractor-{__version__}.tar.gz", "wheel": out / f"extractor-{__version__}-py3-none-any.whl"}


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh environment with the wheel; the dependencies come from the system site-packages, not a download."""
    folder = tmp_path_factory.mktemp("venv") / "env"
    call(sys.executable, "-m", "venv", "--system-site-packages", folder, cwd=folder.parent)
    call(folder / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", dist["wheel"], cwd=folder.parent)
    return folder


def test_the_sdist_carries_the_rules(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        for path in RULE_FILES + [ROOT / "rules" / "__init__.py"]:
            member = sdist.extractfile(f"extractor-{__version__}/rules/{path.name}")
            assert member is not None and member.read() == path.read_bytes(), path.name


def test_the_wheel_built_from_the_sdist_carries_the_rules(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        shipped = sorted(name for name in wheel.namelist() if name.startswith("extractor/rules/") and name.endswith(".toml"))
        assert shipped == [f"extractor/rules/{path.name}" for path in RULE_FILES]
        for path in RULE_FILES:
            assert wheel.read(f"extractor/rules/{path.name}") == path.read_bytes(), path.name


def test_the_venv_imports_the_wheel_not_this_checkout(venv, tmp_path):
    """The editable install of the shared site-packages must not mask the wheel."""
    where = call(venv / "bin" / "python", "-c",
                 "import extractor, importlib.resources as r; print(extractor.__file__); print(r.files('extractor.rules'))",
                 cwd=tmp_path).split("\n")
    site = (venv / "lib").resolve()
    assert Path(where[0]).resolve().is_relative_to(site), where[0]
    assert Path(where[1]).resolve().is_relative_to(site), where[1]
    assert call(venv / "bin" / "extractor", "--version", cwd=tmp_path).strip() == f"extractor {__version__}"
    assert call(venv / "bin" / "python", "-m", "extractor", "--version", cwd=tmp_path).strip() == f"extractor {__version__}"


def test_the_installed_wheel_extracts_what_this_checkout_extracts(venv, tmp_path, monkeypatch):
    work = tmp_path / "work"  # outside the repository, with its own copy of the sample documents
    shutil.copytree(ROOT / "seeds", work / "seeds")
    call(venv / "bin" / "extractor", "extract", "--quiet", cwd=work)  # the defaults: ./seeds into ./data
    here = tmp_path / "here"
    shutil.copytree(ROOT / "seeds", here / "seeds")
    monkeypatch.chdir(here)
    assert CliRunner().invoke(app, ["extract", "--quiet"]).exit_code == 0
    for name in ("claims.csv", "documents.csv"):  # rules_version in documents.csv: the same rules
        assert (work / "data" / name).read_bytes() == (here / "data" / name).read_bytes(), name
        assert (work / "data" / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name
    for name in ("claims.parquet", "documents.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(work / "data" / name), pd.read_parquet(ROOT / "data" / name))


def test_the_wheel_carries_every_module_and_template(dist):
    """pyproject lists the packages by name: a new subpackage (extractor/report/) left off it would be missing.

    Checked in the wheel itself: in the venv, the shared editable install could
    supply a missing module and hide the gap.
    """
    package = ROOT / "extractor"
    here = {f"extractor/{path.relative_to(package).as_posix()}" for path in package.rglob("*")
            if path.suffix in (".py", ".html") and path.relative_to(package).parts[0] != "rules"}
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        assert sorted(here - set(wheel.namelist())) == []
    assert "extractor/report/page.py" in here


def test_rules_load_from_the_wheel_as_a_zip(dist, tmp_path):
    """A zipapp (or any zip on sys.path) reads its rules through importlib.resources, not the file system."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import extractor; from extractor.ruleset import load_ruleset; "
            "print(extractor.__file__); print(load_ruleset().version)")
    where, version = call(sys.executable, "-c", code, dist["wheel"], cwd=tmp_path).split()
    assert where.startswith(str(dist["wheel"]))
    assert version == get_extractor().ruleset.version

