"""Accounts in a real browser: a manager opens an agent's account, the agent follows the emailed
link, chooses a password and signs in; then the agent leaves (docs/accounts.md)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import heading, label, messages
from tests.factories import AgentFactory

pytestmark = pytest.mark.browser


def test_an_agent_is_invited_sets_a_password_signs_in_and_later_leaves(
    demo, page: Page, sign_in, screenshot, mailoutbox
):
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    # Every demo agent signs in already: a new hire has no account yet.
    agent = AgentFactory(name="林晓", employee_no="E900")

    sign_in("manager")
    page.goto("/users/")
    expect(heading(page, "Users")).to_be_visible()
    page.get_by_role("link", name="New account").click()
    page.get_by_label(label("Role")).select_option("agent")
    page.get_by_label(label("Agent")).select_option(str(agent.pk))
    page.get_by_label(label("Username")).fill("new_agent")
    page.get_by_label(label("Email")).fill("new_agent@agency.example")
    page.locator("#id_language").select_option("en")
    screenshot(page, "manager-users-new")
    page.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("an invitation to choose a password was sent")
    expect(page.get_by_role("row", name=re.compile("new_agent"))).to_contain_text("Invited")
    screenshot(page, "manager-users")

    [invitation] = [m for m in mailoutbox if m.to == ["new_agent@agency.example"]]
    assert invitation.subject.endswith("Your account: choose a password")
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", invitation.body).group(1)
    page.get_by_role("button", name="Log out").click()

    page.goto(link)
    page.get_by_label(re.compile("^New password")).first.fill("Harbour-lamp-2026")
    page.get_by_label(re.compile("confirmation", re.IGNORECASE)).fill("Harbour-lamp-2026")
    page.get_by_role("button", name=re.compile("password", re.IGNORECASE)).click()
    sign_in("new_agent", "Harbour-lamp-2026")
    page.get_by_role("button", name="Log out").click()

    sign_in("manager")
    page.goto(f"/agents/{agent.pk}/")
    page.get_by_role("link", name="Agent leaves…").click()
    page.get_by_role("button", name="Record the departure").click()
    assert dialogs and agent.name in dialogs[-1]
    expect(messages(page)).to_contain_text("Their account is deactivated.")
    agent.refresh_from_db()
    assert agent.status == "left" and not agent.user.is_active
