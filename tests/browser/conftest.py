import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe

from tests.factories import code_for

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_RUN = "options => axe.run(document, options)"


class Scanner:
    """Runs axe on the page and remembers every page it scanned.

    axe-core reaches a browser context once, as an init script, so each document compiles it there
    instead of receiving half a megabyte over the wire per scan. A scan asks for violations only and
    no CSS selectors (building them is a good part of a run); only a page that fails is scanned
    again with selectors, for a report that says where."""

    def __init__(self):
        self.axe = Axe()
        self.scanned = []
        self._contexts = set()

    def _ready(self, page):
        context = page.context
        if id(context) not in self._contexts:
            context.add_init_script(script=self.axe.axe_script)
            self._contexts.add(id(context))
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.axe.axe_script)  # a document opened before the context had it

    def __call__(self, page, label):
        page.wait_for_load_state("load")  # styles applied: axe measures target sizes and contrast
        self._ready(page)
        options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
        self.scanned.append(label)
        found = page.evaluate(_RUN, {**options, "selectors": False})["violations"]
        if found:
            report = AxeResults(page.evaluate(_RUN, options)).generate_report()
            raise AssertionError(f"{label}: {len(found)} kinds of violation\n{report}")


@pytest.fixture
def axe_scan():
    return Scanner()


def scan_both_widths(page, axe_scan, label):
    """Axe at the page's own width and again at 320 px, with nothing wider than the window
    (WCAG 1.4.10: no scrolling sideways), then back to the page's width."""
    axe_scan(page, label)
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": 320, "height": 720})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, f"{label} scrolls sideways"
    axe_scan(page, f"{label} at 320 px")
    page.set_viewport_size({"width": width, "height": 900})


def enter_code_if_asked(page, email):
    """After the password: a person with an authenticator app is asked for its code; enter it
    (tests.factories.code_for) and carry on. Anyone else is signed in already."""
    page.locator("input[name=code], form[action='/sign-out']").first.wait_for(state="attached")
    if page.url.endswith("/sign-in/code"):
        page.get_by_label("Code", exact=True).fill(code_for(email))
        page.get_by_role("button", name="Continue").click()
