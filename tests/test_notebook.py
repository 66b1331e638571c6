"""examples/explore.ipynb runs from examples/ on the committed dataset and answers
its three questions with the figures the seed documents state."""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from paths import ROOT

pytestmark = pytest.mark.slow  # runs the example notebook in a Jupyter kernel

NOTEBOOK = ROOT / "examples" / "explore.ipynb"

# Appended to the notebook so the answers come back as JSON.
REPORT_ANSWERS = """
import json
print(json.dumps({
    "per_tier": {f"{src}|{prog}|{tier}": v for prog, tier in per_tier.columns for src, v in per_tier[(prog, tier)].dropna().items()},
    "caps": [[city, value] for city, value in zip(caps["city"], caps["value"])],
    "fast_growth": sorted(float(v) for v in fast_growth["value"]),
}, ensure_ascii=False))
"""


def test_the_example_notebook_answers_its_questions():
    assert (ROOT / "data" / "claims.csv").exists(), "run the README's first command to build data/"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "commit the notebook without outputs"
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT_ANSWERS))
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    images = [o for cell in notebook.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the one chart
    answers = json.loads(notebook.cells[-1].outputs[0]["text"])

    # 000 (威海, 2022): 省级“专精特新”中小企业305家, 市级…398家; the 150 and 154 new ones are smaller.
    assert answers["per_tier"]["威海市 · 000|srdi_sme|provincial"] == 305
    assert answers["per_tier"]["威海市 · 000|srdi_sme|municipal"] == 398
    # 001 (葫芦岛): 省级专精特新中小企业36家, 省级专精特新“小巨人”企业9家.
    assert answers["per_tier"]["葫芦岛市 · 001|srdi_sme|provincial"] == 36
    assert answers["per_tier"]["葫芦岛市 · 001|little_giant|provincial"] == 9
    # 拥有国家级专精特新“小巨人”企业19家, not the 推荐44家企业申报 of the same reply; 葫芦岛's 推荐6家企业申报 are candidates too.
    assert answers["per_tier"]["威海市 · 000|little_giant|national"] == 19
    assert "葫芦岛市 · 001|little_giant|unspecified" not in answers["per_tier"]
    # 杭州 “链主工厂” 不超过500万元, then 日照 独角兽 最高300万元; 杭州's page printed twice counts once.
    assert answers["caps"][:2] == [["杭州市", 5_000_000], ["日照市", 3_000_000]]
    assert sum(1 for city, value in answers["caps"] if value == 5_000_000) == 1
    # Rising rates over 10%: 同比增长257%, 144%, 27.2%, 同比增速14.7%; not 累计下降23.8%, not 9.5% or 7.93%.
    assert answers["fast_growth"] == [14.7, 27.2, 144.0, 257.0]
