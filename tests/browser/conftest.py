import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class Scanner:
    """Runs axe on the page and remembers every page it scanned. axe-core is injected once per
    document, and only violations come back: passes and their nodes cost time to serialise."""

    def __init__(self):
        self.axe = Axe()
        self.scanned = []

    def __call__(self, page, label):
        page.wait_for_load_state("load")  # styles applied: axe measures target sizes and contrast
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.axe.axe_script)
        options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
        results = AxeResults(page.evaluate("options => axe.run(document, options)", options))
        self.scanned.append(label)
        assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


@pytest.fixture
def axe_scan():
    return Scanner()
