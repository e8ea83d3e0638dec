"""An answer for an older input is never shown as the current one: while a newer input waits
out its debounce, a response still on its way for the old one is dropped and the page stays
busy (the race a browser test met: the 15-year answer shown after the term changed)."""

from __future__ import annotations

from .test_browser import count, wait_until


def test_a_late_answer_for_an_older_input_is_not_shown(page, base_url, errors):
    page.goto(base_url + "/")
    wait_until(page, "() => document.documentElement.dataset.busy !== '1'")
    held: list = []

    def hold_the_first(route):
        if not held:
            held.append(route)  # answered below, after the next input (amount 11111)
            return
        route.continue_()

    page.route("**/api/v1/analysis*", hold_the_first)
    before = count(page)
    page.fill("#f-amount", "11111")
    wait_until(page, "() => document.documentElement.dataset.busy === '1'")
    page.wait_for_timeout(400)  # past the debounce: the held request is on its way
    assert len(held) == 1
    page.fill("#f-amount", "12222")  # a newer input, then the old answer arrives
    held[0].continue_()
    page.wait_for_timeout(300)
    amount = '#answer [data-bind="loan.amount"]'
    assert page.locator(amount).first.inner_text() != "$11,111"  # the late answer is dropped
    wait_until(page, "() => document.documentElement.dataset.busy === '0'")
    assert page.locator(amount).first.inner_text() == "$12,222"
    assert count(page) == before + 1  # one answer rendered: the current one
    assert errors == []
