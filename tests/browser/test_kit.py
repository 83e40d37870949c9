"""The browser kit itself: it must see what it refuses, or its checks at teardown prove nothing."""

import pytest
from playwright.sync_api import Page, Route

from tests.browser.conftest import BrowserLog

pytestmark = pytest.mark.browser

ELSEWHERE = "http://192.0.2.1/pixel.svg"  # a documentation address: routed, never reached


def answer_with_a_picture(route: Route) -> None:
    route.fulfill(content_type="image/svg+xml", body='<svg xmlns="http://www.w3.org/2000/svg"/>')


def test_the_kit_sees_requests_elsewhere_and_console_errors(
    page: Page, browser_log: BrowserLog
) -> None:
    page.route(ELSEWHERE, answer_with_a_picture)
    page.set_content(f'<img src="{ELSEWHERE}" alt=""><script>console.error("broken")</script>')

    assert browser_log.foreign_requests() == [ELSEWHERE]
    assert browser_log.console_problems() == ["broken"]
    browser_log.requests.clear()  # both were seen; the checks at teardown need not fail the test
    browser_log.console_errors.clear()
