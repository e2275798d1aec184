"""The "already known" resident hears that the earlier matter was resolved, in a sentence
that ends (issue 8, item 16: it ended "It has now been resolved:" with nothing after)."""

import pytest
from django.core import mail

from palaute_plugin import actions
from tests.factories import FeedbackFactory, feedback_page
from tests.test_actions import run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "sentence"), [
    ("fi", "Kerroit meille asiasta, joka oli jo tiedossa (aiempi palaute {ref}). Asia on nyt "
           "ratkaistu."),
    ("sv", "Du berättade om ett ärende som redan var känt (tidigare respons {ref}). Ärendet "
           "har nu lösts."),
    ("en", "You told us about a matter that was already known (earlier feedback {ref}). That "
           "matter has now been resolved."),
])
def test_the_notice_names_the_earlier_case_and_ends(streets, handler, language, sentence):
    earlier = FeedbackFactory(category=streets, contact_email="first@example.com")
    case = FeedbackFactory(category=streets, page=feedback_page(), language=language,
                           contact_email="asukas@example.com")
    run(actions.mark_already_known, case, user=handler, earlier=earlier)
    mail.outbox.clear()
    run(actions.resolve, earlier, user=handler, message="Lamppu on vaihdettu.")
    [notice] = [m for m in mail.outbox if m.to == ["asukas@example.com"]]
    expected = sentence.format(ref=earlier.reference)
    assert notice.body.startswith(expected + "\n")
    html = notice.alternatives[0][0]
    assert expected in html
