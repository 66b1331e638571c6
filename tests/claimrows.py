"""Claim rows written by hand, the two 威海 replies and the CLI runner: what the diff and series tests share."""

import pandas as pd
from typer.testing import CliRunner

from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS
from paths import SEEDS

WEIHAI_2022 = SEEDS / "000_c2029cb520c589b8.txt"
WEIHAI_2026 = SEEDS / "002_046af103274ec285.txt"
# The two indicators both 威海 replies count, as the 2026 reply names them (国家…).
HIGH_TECH = "enterprise_count|high_tech|national|家|高新技术企业|"
TECH_SME = "enterprise_count|tech_sme|national|家|科技型中小企业|"


def claim(doc, start, text, value, subject, **fields):
    """One claim row of a count of firms (家), its other fields given as keywords."""
    row = {
        "doc": doc, "start": start, "end": start + len(text), "text": text, "value": float(value), "value_max": None,
        "unit": "家", "qualifier": "exact", "metric": "enterprise_count", "subject": subject, "tier": None,
        "program": None, "year": None, "kind": "actual", "sentence": f"{subject}{text}。", "sentence_start": start,
        "line": 1, "rule": "claim.count", "doc_sha256": doc, "is_repeat": False,
    }
    row.update(fields)
    return row


def frame(*rows):
    return pd.DataFrame(list(rows), columns=CLAIM_COLUMNS).astype({"year": "Int64"})


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])
