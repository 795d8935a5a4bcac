"""Locators shared by the browser tests, written against what base.html renders."""

import re

from playwright.sync_api import Locator, Page, expect


def heading(page: Page, name: str | re.Pattern) -> Locator:
    """The page's title (its one <h1>)."""
    return page.get_by_role("heading", name=name, level=1)


def messages(page: Page) -> Locator:
    """The messages shown at the top of the page after an action."""
    return page.locator("ul.messages")


def label(text: str) -> re.Pattern:
    """A field's whole label, with or without the " *" that marks a required field."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def fact(scope: Locator, term: str) -> Locator:
    """The value (<dd>) of a term (<dt>) in a list of facts."""
    return scope.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def switch_language(page: Page, code: str) -> None:
    """Use the switcher in the top bar (its labels change with the language)."""
    switcher = page.locator("form.lang-form")
    switcher.get_by_role("combobox").select_option(code)
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
