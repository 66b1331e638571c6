"""The review report in a real browser (Debian's chromium through playwright): scrolling and filters."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots a person can open after the run (gitignored; pytest's own tmp folders are pruned).
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory, seeds_dataset):
    """The report of the seed documents with their gold, from a fresh extraction."""
    out = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        result = CliRunner().invoke(app, ["report", str(seeds_dataset), "--out", str(out / "report.html"), "--gold", "tests/gold"])
        assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}: .ci/run installs it with apt-get")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def in_view(page, selector):
    """The element's box lies inside the window and inside the scrolled text pane, and nothing covers its centre."""
    return page.eval_on_selector(selector, """el => {
        const box = el.getBoundingClientRect();
        const pane = document.getElementById('texts').getBoundingClientRect();
        const inside = (outer) => box.top >= outer.top && box.bottom <= outer.bottom && box.left >= outer.left && box.right <= outer.right;
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return inside({top: 0, left: 0, bottom: window.innerHeight, right: window.innerWidth}) && inside(pane) && el.contains(hit);
    }""")


@pytest.mark.slow
def test_clicking_a_claim_scrolls_its_text_to_the_highlight(browser, seeds_report):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(seeds_report.as_uri())
    # Every column, gold last, fits the table's pane without scrolling sideways.
    assert page.evaluate("() => document.getElementById('claims').scrollWidth <= document.querySelector('.table-wrap').clientWidth")

    # The last claim of the last document: far below the fold before the click.
    row = page.locator("#claims tbody tr").last
    cid = row.get_attribute("id").removeprefix("row-")
    mark = f'mark[data-ids~="{cid}"]'
    assert not in_view(page, mark)
    assert page.eval_on_selector("#texts", "el => el.scrollTop") == 0

    row.click()
    assert page.eval_on_selector("#texts", "el => el.scrollTop") > 0
    assert in_view(page, mark)
    assert "active" in page.get_attribute(mark, "class").split()
    style = page.eval_on_selector(mark, "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.visibility]; }")
    assert style == ["solid", "3px", "rgb(213, 0, 0)", "visible"]
    assert "selected" in row.get_attribute("class").split()
    claim = page.eval_on_selector("#claim-data", f"el => JSON.parse(el.textContent)['{cid}']")
    assert page.inner_text("#panel dd") == claim["text"]
    # The panel names every field the claim has of those a reviewer checks.
    wanted = ["value", "unit", "qualifier", "metric", "subject", "tier", "year", "kind", "rule"]
    listed = dict(zip(page.locator("#panel dt").all_inner_texts(), page.locator("#panel dd").all_inner_texts()))
    assert [f for f in wanted if f in listed] == [f for f in wanted if claim[f] not in (None, "")]
    assert {"value", "unit", "metric", "kind", "rule"} <= set(listed) and listed["unit"] == claim["unit"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-after-click.png"
    shot.unlink(missing_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")

    # Back the other way: a highlight in the text selects its row.
    first = page.locator("#doc-0 mark").first
    first.scroll_into_view_if_needed()
    first.click()
    first_id = first.get_attribute("data-ids").split()[0]
    assert "selected" in page.get_attribute(f"#row-{first_id}", "class").split()
    assert "active" not in page.get_attribute(mark, "class").split()

    # Nothing was fetched but the file itself.
    assert requests and all(url.startswith("file://") for url in requests)
    page.close()


@pytest.mark.slow
def test_filters_hide_rows_in_the_browser(browser, seeds_report):
    page = browser.new_page()
    page.goto(seeds_report.as_uri())
    total = page.locator("#claims tbody tr").count()
    page.select_option('select[data-filter="metric"]', "subsidy")
    subsidies = page.locator('#claims tbody tr[data-metric="subsidy"]').count()
    assert 0 < subsidies < total
    assert page.locator("#claims tbody tr:not([hidden])").count() == subsidies
    assert page.inner_text("#shown") == str(subsidies)
    page.select_option('select[data-filter="kind"]', "actual")
    visible = page.locator("#claims tbody tr:not([hidden])")
    assert all(visible.nth(i).get_attribute("data-kind") == "actual" for i in range(visible.count()))
    page.select_option('select[data-filter="metric"]', "")
    page.select_option('select[data-filter="kind"]', "")
    assert page.inner_text("#shown") == str(total)
    page.close()


@pytest.mark.slow
def test_document_and_tier_filters_keep_the_claims_the_dataset_has(browser, seeds_report, seeds_dataset):
    """Visible claim rows (missed gold rows aside) against counts taken from the claims table itself."""
    claims = pd.read_csv(seeds_dataset / "claims.csv")
    page = browser.new_page()
    page.goto(seeds_report.as_uri())
    visible = page.locator('#claims tbody tr:not([hidden]):not([data-gold="missed"])')
    doc = sorted(claims["doc"])[-1]
    cases = [("doc", doc, claims["doc"] == doc), ("tier", "municipal", claims["tier"] == "municipal"),
             ("tier", "-", claims["tier"].isna())]
    for name, value, expected in cases:
        page.select_option(f'select[data-filter="{name}"]', value)
        assert visible.count() == int(expected.sum()) > 0, (name, value)
        assert {visible.nth(i).get_attribute(f"data-{name}") for i in range(visible.count())} == {value}
        page.select_option(f'select[data-filter="{name}"]', "")
    # Two filters at once keep what both keep.
    page.select_option('select[data-filter="doc"]', doc)
    page.select_option('select[data-filter="tier"]', "-")
    assert visible.count() == int(((claims["doc"] == doc) & claims["tier"].isna()).sum())
    page.close()
