"""(a) the feedback page's render against a plain content page;
(c) one feedback submission with a photo against a wagtail.contrib.forms submission."""

import io

from PIL import Image


def build_site():
    from home.models import ContentPage, FormField, FormPage
    from palaute_plugin.public import antispam  # noqa: F401
    from tests.factories import CategoryFactory, UserFactory, feedback_page

    page = feedback_page()
    home = page.get_parent()
    responsible = UserFactory(username="bench", email="bench@tornio.example")
    parent = CategoryFactory(name_fi="Liikenne")
    categories = [CategoryFactory(name_fi=f"Liikenne {i}", parent=parent,
                                  responsible_person=responsible) for i in range(8)]
    content = home.add_child(instance=ContentPage(
        title="Asuminen", slug="asuminen",
        body=[("heading", "Vuokra-asunnot"), ("paragraph", "<p>" + "Tekstiä. " * 80 + "</p>")]))
    form_page = home.add_child(instance=FormPage(
        title="Vapaa palaute", slug="vapaa-palaute", to_address="", from_address="",
        subject="Palaute"))
    for index, (label, field_type) in enumerate(
            [("Nimi", "singleline"), ("Sähköposti", "email"), ("Viesti", "multiline")]):
        FormField.objects.create(page=form_page, sort_order=index, label=label,
                                 field_type=field_type, required=label != "Nimi")
    return page, content, form_page, categories


def phone_jpeg(size):
    image = Image.effect_noise(size, 64).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def run(repeat=15):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from bench.common import median_seconds
    from palaute_plugin.models import Feedback
    from palaute_plugin.public import antispam

    page, content, form_page, categories = build_site()
    client = Client()
    rows = [(
        "(a) GET /palaute/ vs GET a plain content page",
        median_seconds(lambda: client.get(page.url), repeat),
        median_seconds(lambda: client.get(content.url), repeat),
        "1.2",
    )]
    for label, size in (("2 Mpx", (1632, 1224)), ("12 Mpx", (4032, 3024))):
        photo = phone_jpeg(size)

        def submit(photo=photo):
            data = {"kind": "feedback", "category": str(categories[0].pk),
                    "message": "Katuvalo ei pala Hallituskadulla.",
                    "contact_email": "asukas@example.com",
                    "form_token": antispam.issue_form_token(),
                    "photos": [SimpleUploadedFile("kuva.jpg", photo, "image/jpeg")]}
            response = client.post(page.url, data)
            assert response.status_code == 302, response.content[:500]

        def legacy():
            response = client.post(form_page.url, {"nimi": "Maija", "sahkoposti":
                                                   "asukas@example.com",
                                                   "viesti": "Katuvalo ei pala."})
            assert response.status_code == 200

        with _no_rate_limit():
            rows.append((f"(c) feedback POST + one {label} JPEG vs contrib.forms POST",
                         median_seconds(submit, repeat), median_seconds(legacy, repeat), "3"))
    assert Feedback.objects.exists()
    return rows


class _no_rate_limit:
    def __enter__(self):
        from django.test import override_settings

        self.override = override_settings(PALAUTE_RATE_LIMIT="1000000/h", PALAUTE_SITE_RATE_LIMIT="1000000/h")
        self.override.enable()

    def __exit__(self, *exc):
        self.override.disable()
