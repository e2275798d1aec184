"""The decisions a handler makes in a browser that no other browser test clicked: marking
a case already known (with the earlier case chosen from the list), directing it to another
authority, and changing the status of several cases at once from the inbox. Each path ends
in what the resident reads: the email in their language, naming their question or proposal
as such."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from palaute_plugin import actions
from palaute_plugin.models import Feedback
from tests.factories import OtherAuthorityFactory

from .test_resident_flow import wait_for
from .test_staff_flow import (
    DESKTOP,
    axe_page,
    case_status,
    choose_more_action,
    fresh,
    header_buttons,
    log_in,
    success_message,
)

pytestmark = pytest.mark.django_db(transaction=True)


def submit(category, page, *, message, email, language="fi", kind="feedback", location=None):
    return actions.submit_feedback(actions.Submission(
        category=category, message=message, language=language, kind=kind,
        contact_email=email, location=location), page=page)


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def action_screen(page, case, label, name, *, refused):
    """The case's action ``name`` from its "More actions" menu: its own screen, checked by
    axe; sent empty, it is refused with ``refused`` and nothing changes. Its form."""
    page.goto(f"/admin/palaute/{case.pk}/")
    choose_more_action(page, label)
    page.wait_for_url(re.compile(rf"/admin/palaute/{case.pk}/action/{name}/$"))
    form = page.locator(f"#palaute-action-{name}")
    axe_page(page)
    form.locator("button[type=submit]").click()
    expect(form).to_contain_text(refused)
    assert fresh(case).status == Feedback.Status.NEW
    return form


def test_already_known_then_the_earlier_case_resolved_tells_the_later_resident(
        new_context, form_page, streets, handler):
    earlier = submit(streets, form_page, message="Katuvalo pimeänä Hallituskadulla.",
                     email="eka@example.com", location=(65.8475, 24.1466))
    later = submit(streets, form_page, message="Is the lamp on Hallituskatu being fixed?",
                   email="toka@example.com", language="en", kind="question",
                   location=(65.8476, 24.1467))
    page = new_context(**DESKTOP).new_page()
    log_in(page, handler)
    form = action_screen(page, later, "Already known", "already_known",
                         refused="Choose the earlier case.")
    # The earlier case is listed (same topic, a few metres away): choose it.
    form.get_by_label(re.compile(re.escape(earlier.reference))).check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{later.pk}/$"))
    expect(success_message(page)).to_contain_text(
        f"Feedback {later.reference} was marked as already known "
        f"(earlier: {earlier.reference}).")
    case = fresh(later)
    assert case.status == Feedback.Status.ALREADY_KNOWN
    assert case.duplicate_of_id == earlier.pk
    expect(case_status(page)).to_have_text("already known")
    told = wait_for(lambda: [m for m in mails_to("toka@example.com")
                             if "already known" in m.subject])
    assert told[0].subject == (
        f"Your question concerns a matter already known ({later.reference})")
    assert earlier.reference in told[0].body

    # The earlier case is resolved: the later case's resident hears of it too.
    page.goto(f"/admin/palaute/{earlier.pk}/")
    header_buttons(page).get_by_role("link", name="Resolve").click()
    page.fill("#id_resolve_message", "Lamppu vaihdettiin.")
    page.locator("#palaute-action-resolve button[type=submit]").click()
    expect(success_message(page)).to_contain_text(f"Feedback {earlier.reference} was resolved.")
    resolved = wait_for(lambda: [m for m in mails_to("toka@example.com")
                                 if "has been resolved" in m.subject])
    assert later.reference in resolved[0].subject
    assert earlier.reference in resolved[0].body
    # The answer was written to the other resident: it is not forwarded.
    assert "Lamppu vaihdettiin." not in resolved[0].body
    assert [m.subject for m in mails_to("eka@example.com")][-1] == (
        f"Palautettasi koskeva asia on ratkaistu ({earlier.reference})")


def test_a_proposal_directed_to_another_authority_tells_the_resident_whom_to_contact(
        new_context, form_page, streets, handler):
    authority = OtherAuthorityFactory()
    case = submit(streets, form_page, message="Förslag: en gångtunnel under E4 vid Röyttä.",
                  email="forslag@example.com", language="sv", kind="proposal")
    page = new_context(**DESKTOP).new_page()
    log_in(page, handler)
    form = action_screen(page, case, "Another authority's matter", "redirect",
                         refused="Choose an authority.")
    form.get_by_label("Authority").select_option(label=authority.name_en)
    page.fill("#id_redirect_message", "Vägen är statens; ELY-centralen planerar den.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{case.pk}/$"))
    expect(success_message(page)).to_contain_text(
        f"Feedback {case.reference} was directed to {authority.name_en}.")
    assert fresh(case).status == Feedback.Status.REDIRECTED
    assert fresh(case).redirected_to == authority
    expect(case_status(page)).to_have_text("directed to another authority")

    email = wait_for(lambda: [m for m in mails_to("forslag@example.com")
                              if "myndighet" in m.subject])[0]
    assert email.subject == (
        f"Ditt förslag gäller ett ärende för en annan myndighet ({case.reference})")
    assert email.body.startswith("Tack för ditt förslag.")
    for detail in (authority.name_sv, authority.handles_sv, authority.email, authority.phone, authority.website,
                   "Vägen är statens; ELY-centralen planerar den.", "Följ ditt förslag"):
        assert detail in email.body


def test_handler_moves_two_cases_to_the_work_list_at_once(
        new_context, form_page, streets, housing, handler):
    first = submit(streets, form_page, message="Kuoppa Länsiranta 3:n kohdalla.",
                   email="kuoppa@example.com")
    second = submit(streets, form_page, message="Kuoppa myös Länsiranta 5:n kohdalla.",
                    email="kuoppa2@example.com", language="en", kind="proposal")
    untouched = submit(streets, form_page, message="Roskis täynnä.", email="roskis@example.com")
    not_hers = submit(housing, form_page, message="Asunnon ovi.", email="ovi@example.com")
    page = new_context(**DESKTOP).new_page()
    log_in(page, handler)
    page.goto("/admin/palaute/")
    expect(page.locator("main")).not_to_contain_text(not_hers.reference)

    for case in (first, second):
        page.locator(f'input[data-bulk-action-checkbox][data-object-id="{case.pk}"]').check()
    footer = page.locator("[data-bulk-action-footer]")
    expect(footer).to_be_visible()
    footer.get_by_role("link", name="Change the status of the selected feedback").click()
    page.wait_for_url(re.compile(r"/admin/bulk/"))
    expect(page.locator("main")).to_contain_text("This applies to 2 cases:")
    for case in (first, second):
        expect(page.locator(".palaute-bulk-cases")).to_contain_text(case.reference)
    expect(page.locator(".palaute-bulk-cases")).not_to_contain_text(untouched.reference)
    # The residents wrote in two languages; the form says so before one text goes to both.
    expect(page.locator("main")).to_contain_text("The residents who get it wrote in:")
    axe_page(page)
    page.get_by_label("Moved to the work list").check()
    page.fill("#id_message", "Kuopat paikataan ensi viikolla. / The potholes will be "
                             "patched next week.")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r"/admin/palaute/"))
    expect(success_message(page)).to_contain_text("2 cases changed to “moved to the work list”.")
    for case in (first, second):
        assert fresh(case).status == Feedback.Status.WORK_LIST
    assert fresh(untouched).status == Feedback.Status.NEW
    assert fresh(not_hers).status == Feedback.Status.NEW

    finnish = wait_for(lambda: [m for m in mails_to("kuoppa@example.com")
                                if "työlistalle" in m.subject])[0]
    assert finnish.subject == f"Palautteesi on siirretty työlistalle ({first.reference})"
    english = wait_for(lambda: [m for m in mails_to("kuoppa2@example.com")
                                if "work list" in m.subject])[0]
    assert english.subject == f"Your proposal was moved to the work list ({second.reference})"
    assert "The potholes will be patched next week." in english.body
    assert not [m for m in mails_to("roskis@example.com") if "työlistalle" in m.subject]
