"""The accessibility scan itself: it must find a violation when there is one."""

import pytest

from tests.browser.conftest import WCAG_22_AA


def test_axe_reports_a_known_violation(page, axe_scan):
    page.set_content('<!DOCTYPE html><html><head><title>t</title></head>'
                     '<body><main><img src="x.png"><input type="text"></main></body></html>')
    results = axe_scan.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count >= 2  # image-alt and label
    with pytest.raises(AssertionError, match="image-alt"):
        axe_scan(page, "broken page")
