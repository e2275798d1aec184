"""What a handler does in the Wagtail admin on a desktop: log in, find the case among
their own categories only, and take it from ``new`` through ``in_progress`` and
``work_list`` to ``resolved`` while the (Swedish-speaking) resident is emailed."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import Locale

from palaute_plugin import actions
from palaute_plugin.models import Feedback

from .test_resident_flow import STATUS_LINK, resident_mails, wait_for

# The live server answers from another thread: the test's data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
PASSWORD = "password"  # UserFactory's
RESIDENT = "bo.strom@example.com"
MESSAGE = "Gatlampan vid Storgatan 12 har varit trasig i en vecka."
WORK_LIST_NOTE = "Elektrikern byter lampan under nästa vecka."
ANSWER = "Lampan är nu utbytt. Tack för att du hörde av dig!"
#: True once the page's messages (if any) and everything around them are fully opaque.
FADED_IN = """() => {
    for (let el = document.querySelector('.messages li'); el; el = el.parentElement) {
        if (getComputedStyle(el).opacity !== '1') return false;
    }
    return true;
}"""
#: Where our templates and buttons render on the case screen (the rest is Wagtail's chrome).
OUR_MARKUP = ".palaute-case, #w-slim-header-buttons"


def swedish_translation(fi_page):
    """The feedback page's Swedish translation at /sv/palaute/ (and its home page).

    A Swedish-speaking resident writes on that page, so their case's status link
    points there and the status page speaks Swedish.
    """
    locale, _ = Locale.objects.get_or_create(language_code="sv")
    home = fi_page.get_parent().specific
    if home.get_translation_or_none(locale) is None:
        home.copy_for_translation(locale).save_revision().publish()
    sv_page = fi_page.copy_for_translation(locale)
    sv_page.title = "Respons"
    sv_page.save_revision().publish()
    sv_page.refresh_from_db()
    return sv_page.specific


@pytest.fixture
def staff_data(form_page, streets, housing, handler):
    """The handler (Sanna Katu, admin in English) of street lighting, a Swedish resident's
    case there and a housing case she must not see."""
    sv_page = swedish_translation(form_page)
    case_a = actions.submit_feedback(actions.Submission(
        category=streets, message=MESSAGE, language="sv", contact_email=RESIDENT), page=sv_page)
    case_b = actions.submit_feedback(actions.Submission(
        category=housing, message="Asunnon ovi ei sulkeudu.",
        contact_email="asukas@example.com"), page=form_page)
    return {"handler": handler, "case_a": case_a, "case_b": case_b}


def fresh(feedback):
    return Feedback.objects.get(pk=feedback.pk)


def success_message(page):
    return page.locator(".messages .success")


def open_side_panel(page, name):
    """Open the case screen's side panel by its toggle (unless it is open already)."""
    panel = page.locator(f'[data-side-panel="{name}"]')
    if not panel.is_visible():
        page.locator(f'[data-side-panel-toggle="{name}"]').click()
    expect(panel).to_be_visible()
    return panel


def case_status(page):
    return open_side_panel(page, "status").locator(".palaute-case__status")


def header_buttons(page):
    return page.locator("#w-slim-header-buttons")


def choose_more_action(page, label):
    """Open the header's "More actions" menu and choose the action's screen."""
    header_buttons(page).get_by_role("button", name="More actions").click()
    page.get_by_role("link", name=label, exact=True).click()


def violation_report(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}: {node['html'][:160]}" for node in violation["nodes"])
    return "\n".join(lines)


def axe_case_screen(page):
    """axe on the case screen with each side panel open: ours fail, Wagtail's are printed."""
    for name in ("status", "history"):
        open_side_panel(page, name)
        axe_page(page)


def axe_page(page):
    """axe on the page as it is: violations in our markup fail, Wagtail's are printed."""
    # Wagtail fades its messages in; measured mid-fade, white on green fails contrast.
    page.wait_for_function(FADED_IN)
    violations = Axe().run(page).response["violations"]
    ours, wagtails = [], []
    for violation in violations:
        inside = [node for node in violation["nodes"]
                  if page.locator(node["target"][-1]).first.evaluate(
                      "(el, ours) => !!el.closest(ours)", OUR_MARKUP)]
        outside = [node for node in violation["nodes"] if node not in inside]
        if inside:
            ours.append({**violation, "nodes": inside})
        if outside:
            wagtails.append({**violation, "nodes": outside})
    if wagtails:
        print("axe: violations in Wagtail's admin chrome (not asserted):\n"
              + violation_report(wagtails))
    assert not ours, "axe: violations in our case screen:\n" + violation_report(ours)


def test_handler_takes_a_case_from_new_to_resolved(new_context, staff_data, live_server):
    handler, case_a, case_b = staff_data["handler"], staff_data["case_a"], staff_data["case_b"]
    # The receipt went out when the case came in; the handler was told of case A only.
    receipts = resident_mails(RESIDENT)
    assert len(receipts) == 1 and case_a.reference in receipts[0].subject
    handler_mails = [m for m in mail.outbox if m.to == [handler.email]]
    assert len(handler_mails) == 1 and case_a.reference in handler_mails[0].subject
    sent_before = len(mail.outbox)

    page = new_context(**DESKTOP).new_page()

    # --- log in by typing -----------------------------------------------------------
    page.goto("/admin/login/")
    page.fill("#id_username", handler.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # --- the inbox from the menu: case A only ---------------------------------------
    menu_item = page.locator('#wagtail-sidebar a[href="/admin/palaute/"]')
    expect(menu_item).to_contain_text("Feedback")
    menu_item.click()
    page.wait_for_url(re.compile(r"/admin/palaute/$"))
    expect(page.locator("h1")).to_contain_text("Feedback")
    expect(page.get_by_role("link", name=case_a.reference, exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(case_b.reference)
    expect(page.locator("main")).not_to_contain_text(case_b.message)

    response = page.goto(f"/admin/palaute/{case_b.pk}/")
    assert response.status == 404
    # Acting on it by a hand-made post (with a valid CSRF token) is refused the same way.
    csrf_token = next(cookie["value"] for cookie in page.context.cookies()
                      if cookie["name"] == "csrftoken")
    response = page.request.post(f"/admin/palaute/{case_b.pk}/action/take/", form={
        "csrfmiddlewaretoken": csrf_token, "expected_version": str(case_b.version)})
    assert response.status == 404
    assert fresh(case_b).status == Feedback.Status.NEW and fresh(case_b).assignee is None

    # --- open case A and take it ----------------------------------------------------
    page.goto("/admin/palaute/")
    page.get_by_role("link", name=case_a.reference, exact=True).click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{case_a.pk}/$"))
    expect(page.locator("#palaute-summary-content")).to_contain_text(case_a.reference)
    expect(case_status(page)).to_have_text("new")
    expect(page.locator("#palaute-message-content")).to_contain_text(MESSAGE)
    # The main actions are header buttons; the rest are in the "More actions" menu.
    for label in ("Take this case", "Reply to the resident", "Resolve"):
        expect(header_buttons(page).get_by_role(
            "link" if label != "Take this case" else "button", name=label)).to_be_visible()
    expect(page.get_by_role("link", name="Move to the work list")).to_be_hidden()

    take = header_buttons(page).get_by_role("button", name="Take this case")
    take.click()
    expect(success_message(page)).to_contain_text(
        f"You now handle feedback {case_a.reference}.")
    case = fresh(case_a)
    assert case.status == Feedback.Status.IN_PROGRESS
    assert case.assignee == handler
    expect(case_status(page)).to_have_text("in progress")
    expect(open_side_panel(page, "status")).to_contain_text("Sanna Katu")
    expect(take).to_have_count(0)  # it is theirs now
    expect(page.locator("#palaute-action-take")).to_have_count(0)
    assert len(mail.outbox) == sent_before  # taking a case emails nobody

    axe_case_screen(page)

    # --- move it to the work list with a date and a message ----------------------------
    expected_date = timezone.localdate() + timedelta(days=21)
    choose_more_action(page, "Move to the work list")
    page.wait_for_url(re.compile(rf"/admin/palaute/{case_a.pk}/action/work_list/$"))
    expect(page.locator("h1")).to_contain_text("Move to the work list")
    expect(page.locator("#palaute-action-case-content")).to_contain_text(MESSAGE)
    axe_page(page)  # the action's own screen
    work_list = page.locator("#palaute-action-work_list")
    date_input = page.locator("#id_work_list_expected_date")
    picker = page.locator(".xdsoft_datetimepicker")
    # As a person does: the picker opens, the date is typed, Tab goes on to the message
    # and the picker closes. (Typing before the picker had opened left it to open after
    # the field lost focus, over the submit button.)
    date_input.click()
    expect(picker).to_be_visible()
    date_input.fill(expected_date.isoformat())
    date_input.press("Tab")
    expect(picker).to_be_hidden()
    page.fill("#id_work_list_message", WORK_LIST_NOTE)
    work_list.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{case_a.pk}/$"))
    expect(success_message(page)).to_contain_text(
        f"Feedback {case_a.reference} was moved to the work list. "
        "The resident is told by email.")
    case = fresh(case_a)
    assert case.status == Feedback.Status.WORK_LIST
    assert case.expected_date == expected_date
    expect(case_status(page)).to_have_text("moved to the work list")

    emails = wait_for(lambda: resident_mails(RESIDENT)[1:])
    assert len(emails) == 1
    email = emails[0]
    assert case_a.reference in email.subject
    body = email.body
    assert case_a.reference in body and WORK_LIST_NOTE in body
    # Day.month.year, as the receipt writes it (not Swedish SHORT_DATE_FORMAT 2026-12-24).
    assert f"{expected_date.day}.{expected_date.month}.{expected_date.year}" in body
    assert "Referensnummer" in body and "Gatubelysning" in body  # in Swedish
    assert case.notifications.get(template="work_list").language == "sv"
    assert len(mail.outbox) == sent_before + 1

    # --- resolve it with an answer -----------------------------------------------------
    header_buttons(page).get_by_role("link", name="Resolve").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{case_a.pk}/action/resolve/$"))
    # An empty answer is refused on the same screen, which takes the focus to the form.
    resolve = page.locator("#palaute-action-resolve")
    resolve.locator("button[type=submit]").click()
    expect(page.locator(".messages .error")).to_contain_text(
        "Nothing was changed: correct the errors below.")
    expect(resolve).to_contain_text("Write the answer to the resident.")
    expect(resolve).to_be_focused()
    assert fresh(case_a).status == Feedback.Status.WORK_LIST
    page.fill("#id_resolve_message", ANSWER)
    resolve.locator("button[type=submit]").click()
    expect(success_message(page)).to_contain_text(
        f"Feedback {case_a.reference} was resolved. The resident is told by email.")
    case = fresh(case_a)
    assert case.status == Feedback.Status.RESOLVED
    assert case.closed_at is not None
    expect(case_status(page)).to_have_text("resolved")
    expect(header_buttons(page).get_by_role("button", name="Reopen")).to_be_visible()
    expect(header_buttons(page).get_by_role("link", name="Resolve")).to_have_count(0)

    emails = wait_for(lambda: resident_mails(RESIDENT)[2:])
    assert len(emails) == 1
    email = emails[0]
    assert case_a.reference in email.subject
    assert ANSWER in email.body and "Referensnummer" in email.body
    assert case.notifications.get(template="resolved").language == "sv"
    assert len(mail.outbox) == sent_before + 2
    # Every email to the resident is on the case's timeline, delivered.
    timeline = open_side_panel(page, "history")
    for sent in resident_mails(RESIDENT):
        expect(timeline).to_contain_text(f"Email to the resident: {sent.subject}")
    expect(timeline.locator(".palaute-timeline__state--sent")).to_have_count(
        case.notifications.count())  # receipt, handler's "new feedback", two decisions

    # --- the resident follows the link in the email ------------------------------------
    links = STATUS_LINK.findall(email.body)
    assert links, email.body
    status_path = urlsplit(links[0]).path
    assert status_path == f"/sv/palaute/status/{case_a.tracking_token}/"
    resident = new_context(**DESKTOP).new_page()
    resident.goto(live_server.url + status_path)
    expect(resident.locator("html")).to_have_attribute("lang", "sv")
    expect(resident.locator("h1")).to_contain_text(case_a.reference)
    status = resident.locator("strong.status")
    expect(status).to_have_class(re.compile(r"\bstatus--resolved\b"))
    expect(status).to_have_text("Löst")
    expect(resident.locator("ul.timeline")).to_contain_text(ANSWER)
    expect(resident.locator("ul.timeline")).to_contain_text(WORK_LIST_NOTE)
    expect(resident.locator("blockquote.message")).to_have_text(MESSAGE)


def log_in(page, user):
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_handler_without_javascript_takes_and_answers_a_case(new_context, staff_data):
    """No menu or side panel opens without JavaScript: the case screen lists the actions
    and the status itself, and every action works by plain links and form posts."""
    handler, case_a = staff_data["handler"], staff_data["case_a"]
    page = new_context(java_script_enabled=False, **DESKTOP).new_page()
    log_in(page, handler)
    page.goto(f"/admin/palaute/{case_a.pk}/")
    status = page.locator("#palaute-status-content")
    expect(status.locator(".palaute-case__status")).to_have_text("new")
    action_list = page.locator("#palaute-actions-content")
    expect(action_list.get_by_role("link", name="Move to the work list")).to_be_visible()
    expect(page.locator("#palaute-history-content")).to_contain_text("Feedback received")

    header_buttons(page).get_by_role("button", name="Take this case").click()
    expect(success_message(page)).to_contain_text(
        f"You now handle feedback {case_a.reference}.")
    expect(status.locator(".palaute-case__status")).to_have_text("in progress")
    assert fresh(case_a).assignee == handler

    action_list.get_by_role("link", name="Reply to the resident").click()
    page.wait_for_url(re.compile(rf"/admin/palaute/{case_a.pk}/action/reply/$"))
    page.fill("#id_reply_message", "Tack, vi tittar på saken.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".palaute-reply-preview")).to_contain_text("Tack, vi tittar på saken.")
    sent_before = len(mail.outbox)
    assert not resident_mails(RESIDENT)[1:]  # a preview sends nothing
    page.get_by_role("button", name="Send reply").click()
    expect(success_message(page)).to_contain_text(
        f"Your reply to {case_a.reference} was saved. The resident is told by email.")
    page.wait_for_url(re.compile(rf"/admin/palaute/{case_a.pk}/$"))
    replies = wait_for(lambda: resident_mails(RESIDENT)[1:])
    assert "Tack, vi tittar på saken." in replies[0].body
    assert len(mail.outbox) == sent_before + 1


def test_decision_emails_to_a_swedish_resident_are_all_swedish(staff_data):
    handler, case = staff_data["handler"], staff_data["case_a"]
    case = actions.take(case, user=handler)
    case = actions.move_to_work_list(case, user=handler, message=WORK_LIST_NOTE,
                                     expected_date=timezone.localdate() + timedelta(days=7))
    actions.resolve(case, user=handler, message=ANSWER)
    work_list, resolved = wait_for(lambda: resident_mails(RESIDENT)[1:])
    english = ("Your feedback", "Thank you for your feedback", "Expected to be done by",
               "has been handled")
    for email in (work_list, resolved):
        text = email.subject + "\n" + email.body
        assert not [phrase for phrase in english if phrase in text], text


def test_resolve_with_a_template_after_a_conflict_succeeds_on_retry(
        new_context, staff_data, colleague, streets):
    """A template answer in one action; when a colleague acts meanwhile, the handler is
    told what they did and pressing again resolves with one email."""
    from palaute_plugin.models import ResponseTemplate

    handler, case_a = staff_data["handler"], staff_data["case_a"]
    ResponseTemplate.objects.create(
        title="Lamp replaced", category=streets, text_fi="Lamppu vaihdettu ({reference}).",
        text_sv="Lampan är utbytt ({reference}).")
    sent_before = len(mail.outbox)
    page = new_context(**DESKTOP).new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", handler.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"/admin/palaute/{case_a.pk}/action/resolve/")
    page.get_by_label("Response template").select_option(label="Lamp replaced")
    answer = page.get_by_label("Answer to the resident")
    expect(answer).to_have_value(f"Lampan är utbytt ({case_a.reference}).")

    # Meanwhile a colleague adds a note: the handler's page is one version behind.
    actions.add_note(case_a, user=colleague, text="Kollat på plats.")
    page.locator("#palaute-action-resolve").get_by_role("button", name="Resolve").click()
    error = page.locator(".messages .error")
    expect(error).to_contain_text("Someone else changed this feedback")
    expect(error).to_contain_text("Latest change: Internal note added (Kalle Kollega,")
    expect(answer).to_have_value(f"Lampan är utbytt ({case_a.reference}).")
    assert fresh(case_a).status != Feedback.Status.RESOLVED
    axe_page(page)

    page.locator("#palaute-action-resolve").get_by_role("button", name="Resolve").click()
    expect(success_message(page)).to_contain_text(f"Feedback {case_a.reference} was resolved.")
    assert fresh(case_a).status == Feedback.Status.RESOLVED
    new_mails = wait_for(lambda: mail.outbox[sent_before:] or None)
    assert [m.to for m in new_mails] == [[RESIDENT]]
    assert f"Lampan är utbytt ({case_a.reference})." in new_mails[0].body
