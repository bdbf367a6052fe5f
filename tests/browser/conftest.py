import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


class Scanner:
    """Runs axe on the page and remembers every page it scanned."""

    def __init__(self):
        self.axe = Axe()
        self.scanned = []

    def __call__(self, page, label):
        page.wait_for_load_state("load")  # styles applied: axe measures target sizes and contrast
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        self.scanned.append(label)
        assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


@pytest.fixture
def axe_scan():
    return Scanner()
