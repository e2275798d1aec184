"""The state transitions: status, log, emails, permission, status rules and concurrency."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from wagtail.models import ModelLogEntry

from palaute_plugin import actions
from palaute_plugin.models import Feedback, Notification
from tests.factories import (
    CategoryFactory,
    FeedbackFactory,
    OtherAuthorityFactory,
    UserFactory,
    feedback_page,
)

pytestmark = pytest.mark.django_db
S = Feedback.Status


@pytest.fixture
def category(streets):
    """The street lighting category of the shared staff fixtures (``handler``, ``colleague``)."""
    return streets


@pytest.fixture
def case(category):
    return FeedbackFactory(category=category, page=feedback_page(), language="sv",
                           contact_email="asukas@example.com",
                           message="Gatlampan lyser inte.")


def run(func, *args, **kwargs):
    """Run an action and what it queued after commit (email delivery)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return func(*args, **kwargs)


def resident_mail():
    return [m for m in mail.outbox if m.to == ["asukas@example.com"]]


def test_take_assigns_and_starts_handling(case, handler):
    result = run(actions.take, case, user=handler, expected_version=case.version)
    assert result.assignee == handler and result.status == S.IN_PROGRESS
    assert result.version == case.version + 1
    assert ModelLogEntry.objects.for_instance(result).filter(
        action="palaute_plugin.assigned").exists()
    assert mail.outbox == []  # taking it oneself emails nobody


def test_assign_emails_the_assignee(case, handler, colleague):
    run(actions.assign, case, user=handler, assignee=colleague)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert case.reference in mail.outbox[0].subject
    assert f"/admin/palaute/{case.pk}/" in mail.outbox[0].body


def test_assign_to_someone_outside_the_group_is_refused(case, handler, housing_handler):
    with pytest.raises(actions.ActionError):
        actions.assign(case, user=handler, assignee=housing_handler)
    case.refresh_from_db()
    assert case.assignee is None and case.status == S.NEW


def test_reply_emails_the_resident_in_their_language(case, handler):
    result = run(actions.reply, case, user=handler, message="Vi lagar den i morgon.")
    # Answered, a new case is in progress (not "New" above the answer); a later reply,
    # or one on the work list, leaves the status as it is.
    assert result.status == S.IN_PROGRESS
    assert result.first_response_at is not None
    [email] = resident_mail()
    assert "Vi lagar den i morgon." in email.body
    assert email.subject == f"Svar på din respons ({case.reference})"
    assert Notification.objects.get(template="reply").language == "sv"
    assert case.tracking_token in email.body


def test_a_reply_changes_no_status_but_new(case, handler):
    case.status = S.WORK_LIST
    case.save()
    assert run(actions.reply, case, user=handler, message="Työ alkaa ensi viikolla.").status \
        == S.WORK_LIST


def test_already_known_links_earlier_case_and_tells_resident_when_it_is_resolved(
        case, handler, category):
    earlier = FeedbackFactory(category=category, contact_email="first@example.com")
    run(actions.mark_already_known, case, user=handler, earlier=earlier,
        message="Tiedossa.")
    case.refresh_from_db()
    assert case.status == S.ALREADY_KNOWN and case.duplicate_of == earlier
    assert earlier.reference in resident_mail()[0].body
    mail.outbox.clear()
    run(actions.resolve, earlier, user=handler, message="Lampan är bytt.")
    [notice] = resident_mail()
    assert case.reference in notice.subject
    assert "Lampan är bytt." not in notice.body  # that answer was written to someone else
    assert any(m.to == ["first@example.com"] for m in mail.outbox)


def test_already_known_needs_an_earlier_case(case, handler):
    with pytest.raises(actions.ActionError):
        actions.mark_already_known(case, user=handler, earlier=None)
    with pytest.raises(actions.ActionError):
        actions.mark_already_known(case, user=handler, earlier=case)
    case.refresh_from_db()
    assert case.status == S.NEW and mail.outbox == []


def test_work_list_with_expected_date(case, handler):
    run(actions.move_to_work_list, case, user=handler,
        expected_date=datetime.date(2027, 5, 31))
    case.refresh_from_db()
    assert case.status == S.WORK_LIST and case.expected_date == datetime.date(2027, 5, 31)
    assert resident_mail() and "2027" in resident_mail()[0].body


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_work_list_date_is_written_as_the_receipt_writes_it_in_every_language(
        category, handler, language):
    """Day.month.year as on the receipt and the status page: English read 05/31/2027."""
    case = FeedbackFactory(category=category, page=feedback_page(), language=language,
                           contact_email="asukas@example.com")
    run(actions.move_to_work_list, case, user=handler,
        expected_date=datetime.date(2027, 5, 31))
    sent = resident_mail()[0]
    assert ": 31.5.2027\n" in sent.body
    assert "<strong>31.5.2027</strong>" in sent.alternatives[0][0]


def test_redirect_tells_the_authority_contacts(case, handler):
    authority = OtherAuthorityFactory()
    run(actions.redirect_to_authority, case, user=handler, authority=authority)
    case.refresh_from_db()
    assert case.status == S.REDIRECTED and case.redirected_to == authority
    body = resident_mail()[0].body
    assert authority.name_sv in body and authority.email in body and authority.phone in body
    with pytest.raises(actions.ActionError):
        actions.redirect_to_authority(FeedbackFactory(category=case.category), user=handler,
                                      authority=None)


def test_resolve_and_close_need_text_and_set_closed_at(case, handler):
    with pytest.raises(actions.ActionError):
        actions.resolve(case, user=handler, message="  ")
    with pytest.raises(actions.ActionError):
        actions.close(case, user=handler, reason="")
    result = run(actions.close, case, user=handler, reason="Ei toimenpiteitä.")
    assert result.status == S.CLOSED and result.closed_at is not None
    assert "Ei toimenpiteitä." in resident_mail()[0].body


def test_reject_sends_nothing_and_hides_the_status_page(client, case, handler):
    run(actions.reject, case, user=handler, reason="roskapostia")
    assert mail.outbox == []
    assert client.get(f"/palaute/status/{case.tracking_token}/").status_code == 404


def test_reopen_only_closed_cases(case, handler):
    with pytest.raises(actions.NotAllowed):
        actions.reopen(case, user=handler)
    run(actions.resolve, case, user=handler, message="Korjattu.")
    result = run(actions.reopen, case, user=handler)
    assert result.status == S.IN_PROGRESS and result.closed_at is None


def test_closed_case_refuses_status_actions(case, handler):
    run(actions.resolve, case, user=handler, message="Korjattu.")
    for action, kwargs in ((actions.move_to_work_list, {}), (actions.close, {"reason": "x"}),
                           (actions.take, {})):
        with pytest.raises(actions.NotAllowed):
            action(case, user=handler, **kwargs)
    case.refresh_from_db()
    assert case.status == S.RESOLVED


def test_change_category_reroutes_and_notifies(case, handler, category):
    new_person = UserFactory(username="uusi", email="uusi@tornio.example")
    other = CategoryFactory(handler_group=category.handler_group, responsible_person=new_person)
    result = run(actions.change_category, case, user=handler, category=other)
    assert result.category == other and result.assignee == new_person
    assert any(m.to == ["uusi@tornio.example"] for m in mail.outbox)
    assert resident_mail() == []


def test_note_is_internal(client, case, handler):
    run(actions.add_note, case, user=handler, text="Soitin asukkaalle, SALAINEN")
    assert mail.outbox == []
    html = client.get(f"/palaute/status/{case.tracking_token}/").content.decode()
    assert "SALAINEN" not in html


def test_another_teams_handler_may_not_act(case, housing_handler):
    with pytest.raises(actions.NotAllowed):
        actions.take(case, user=housing_handler)
    with pytest.raises(actions.NotAllowed):
        actions.add_note(case, user=housing_handler, text="x")
    case.refresh_from_db()
    assert case.status == S.NEW and case.version == 0


def test_stale_version_is_refused_and_changes_nothing(case, handler, colleague):
    seen = case.version
    run(actions.take, case, user=handler, expected_version=seen)
    with pytest.raises(actions.ConcurrentChange):
        actions.resolve(case, user=colleague, message="Korjattu.", expected_version=seen)
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and case.assignee == handler


def test_available_actions_follow_status(case, handler, housing_handler):
    assert "reopen" not in actions.available_actions(case, handler)
    assert "resolve" in actions.available_actions(case, handler)
    assert actions.available_actions(case, housing_handler) == []
    run(actions.resolve, case, user=handler, message="Korjattu.")
    case.refresh_from_db()
    names = actions.available_actions(case, handler)
    assert "reopen" in names and "resolve" not in names


def test_bulk_apply_reports_each_failure(case, handler):
    foreign = FeedbackFactory(category=CategoryFactory())
    done, failed = run(actions.bulk_apply, "close", [case, foreign], user=handler,
                       reason="Ei toimenpiteitä.")
    assert [c.pk for c in done] == [case.pk]
    assert failed[0][0] == foreign and failed[0][1]
    foreign.refresh_from_db()
    assert foreign.status == S.NEW


def test_staff_entry_records_channel_and_routes(handler, category):
    feedback_page()
    responsible = UserFactory(username="vastaava", email="vastaava@tornio.example")
    category.responsible_person = responsible
    category.save()
    case = run(actions.create_staff_feedback, actions.Submission(
        channel="phone", category=category, kind="question",
        message="Soitto: milloin aurataan?", contact_email="soittaja@example.com",
        language="fi"), user=handler)
    assert case.channel == "phone" and case.assignee == responsible
    assert {tuple(m.to) for m in mail.outbox} >= {("soittaja@example.com",),
                                                  ("vastaava@tornio.example",)}
    with pytest.raises(actions.ActionError):
        actions.create_staff_feedback(actions.Submission(
            channel="web", category=category, kind="feedback", message="x" * 20), user=handler)


def test_nearby_candidates_nearest_first(case, category):
    case.latitude, case.longitude = 65.85, 24.15
    case.save()
    far = FeedbackFactory(category=category, latitude=65.95, longitude=24.5)
    near = FeedbackFactory(category=category, latitude=65.851, longitude=24.151)
    FeedbackFactory()  # another category
    assert actions.nearby_candidates(case)[:2] == [near, far]


def test_nearby_candidates_are_ordered_in_metres_at_tornio_latitude(case, category):
    """455 m east comes before 667 m north, although in raw degrees north looks nearer."""
    case.latitude, case.longitude = 65.85, 24.15
    case.save()
    north_667_m = FeedbackFactory(category=category, latitude=65.856, longitude=24.15)
    east_455_m = FeedbackFactory(category=category, latitude=65.85, longitude=24.16)
    no_place = FeedbackFactory(category=category)
    assert actions.nearby_candidates(case) == [east_455_m, north_667_m, no_place]


def test_resident_follow_up_notifies_assignee(client, case, handler):
    run(actions.take, case, user=handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/palaute/status/{case.tracking_token}/",
                               {"message": "Lisätieto: valo vilkkuu."})
    assert response.status_code == 302
    assert any(m.to == [handler.email] for m in mail.outbox)
    html = client.get(response["Location"]).content.decode()
    assert "Lisätieto: valo vilkkuu." in html


def test_the_same_follow_up_sent_again_after_back_is_added_once(client, case, handler):
    """Back after adding, then Send again: the reloaded form has a new key; the same text
    is still added once and the handler told once."""
    from palaute_plugin.public.antispam import issue_follow_up_key

    run(actions.take, case, user=handler)
    url = f"/palaute/status/{case.tracking_token}/"
    for text in ("Lisätieto: valo vilkkuu.", " Lisätieto:  valo vilkkuu.\r\n",
                 "Nyt valo on sammunut kokonaan."):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url, {"message": text,
                                         "submission_key": issue_follow_up_key()})
        assert response.status_code == 302
    added = ModelLogEntry.objects.filter(action="palaute_plugin.follow_up")
    assert [entry.data["public_message"] for entry in added.order_by("pk")] == [
        "Lisätieto: valo vilkkuu.", "Nyt valo on sammunut kokonaan."]
    assert len([m for m in mail.outbox if m.to == [handler.email]]) == 2


def test_the_same_follow_up_text_with_another_photo_is_added(client, case, handler):
    """Photo A, then the same words with photo B: both are added (only the same words
    with the same photos are the first post again)."""
    import io

    from PIL import Image

    from palaute_plugin.public.antispam import issue_follow_up_key

    def photo(colour):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), colour).save(buffer, format="JPEG")
        buffer.seek(0)
        buffer.name = "kuva.jpg"
        return buffer

    url = f"/palaute/status/{case.tracking_token}/"
    for colour in ((200, 0, 0), (0, 0, 200), (0, 0, 200)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url, {"message": "Lisää kuva.", "photos": photo(colour),
                                         "submission_key": issue_follow_up_key()})
        assert response.status_code == 302
    assert ModelLogEntry.objects.filter(action="palaute_plugin.follow_up").count() == 2
    assert case.photos.count() == 2


def test_follow_up_form_says_what_is_missing_and_which_photos_it_takes(client, case):
    """An empty follow-up names what is missing in the resident's words (it said "This
    field is required."); the photo field tells how many and which formats, as the first
    form does, and its script gets the count."""
    url = f"/palaute/status/{case.tracking_token}/"
    shown = client.get(url).content.decode()
    assert "Enintään 5 kuvaa: JPEG, PNG, WebP tai HEIC. Sijaintitiedot poistetaan kuvista." in shown
    assert 'data-max-photos="5"' in shown
    response = client.post(url, {"message": "  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Kirjoita, mitä haluat lisätä, tai liitä kuva." in html
    assert "Tämä kenttä vaaditaan" not in html
    too_long = client.post(url, {"message": "x" * 5001}).content.decode()
    assert "Viestisi voi olla enintään 5000 merkin pituinen (nyt 5001)" in too_long


def test_photos_alone_are_a_follow_up_and_the_handler_hears_of_them(client, case, handler):
    """A photo without words ("here it is") is added; the handler's email says how many
    photos came (it was refused: "Write what you would like to add.")."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 0)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "kuva.jpg"
    run(actions.take, case, user=handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/palaute/status/{case.tracking_token}/",
                               {"message": "", "photos": buffer})
    assert response.status_code == 302
    assert case.photos.count() == 1
    entry = ModelLogEntry.objects.get(action="palaute_plugin.follow_up")
    assert (entry.data["public_message"], entry.data["photos"]) == ("", 1)
    email = [m for m in mail.outbox if m.to == [handler.email]][-1]
    assert "The resident added 1 photo." in email.body
    assert "The resident added 1 photo." in email.alternatives[0][0]


def test_resident_cannot_follow_up_a_closed_case(client, case, handler):
    run(actions.resolve, case, user=handler, message="Korjattu.")
    response = client.post(f"/palaute/status/{case.tracking_token}/", {"message": "Hei"})
    assert response.status_code == 400
    assert not ModelLogEntry.objects.filter(action="palaute_plugin.follow_up").exists()


def test_timeline_shows_notes_answers_and_follow_ups_to_staff(client, case, handler):
    run(actions.add_note, case, user=handler, text="Soitin asukkaalle.")
    run(actions.reply, case, user=handler, message="Vi tittar på saken.")
    client.force_login(handler)
    html = client.get(f"/admin/palaute/{case.pk}/").content.decode()
    assert "Soitin asukkaalle." in html and "Vi tittar på saken." in html


def test_reply_to_a_rejected_case_is_refused(case, handler):
    run(actions.reject, case, user=handler)
    with pytest.raises(actions.NotAllowed):
        actions.reply(case, user=handler, message="Hei")
    assert mail.outbox == []


def test_responsible_person_can_take_a_new_case_in_one_click(case, handler):
    case.assignee = handler
    case.save()
    assert "take" in actions.available_actions(case, handler)
    result = run(actions.take, case, user=handler)
    assert result.status == S.IN_PROGRESS
    assert "take" not in actions.available_actions(result, handler)


def test_reopen_clears_the_earlier_decision(case, handler):
    run(actions.redirect_to_authority, case, user=handler, authority=OtherAuthorityFactory())
    result = run(actions.reopen, case, user=handler)
    assert result.redirected_to is None and result.duplicate_of is None


def test_answered_case_is_not_overdue(case, handler):
    Feedback.objects.filter(pk=case.pk).update(
        due_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    case.refresh_from_db()
    assert case.is_overdue
    result = run(actions.move_to_work_list, case, user=handler)
    assert not result.is_overdue


def test_already_known_candidates_only_from_what_the_user_sees(case, handler, category):
    stranger = UserFactory(username="vieras")
    earlier = FeedbackFactory(category=category)
    assert earlier in actions.nearby_candidates(case, user=handler)
    assert actions.nearby_candidates(case, user=stranger) == []
