"""Demo content of the free-form forms and the feedback block: three older forms in fi/sv/en
with a few submissions, and a content page with ``FeedbackBlock``. Called by
``manage.py palaute_demo`` when ``PALAUTE_DEMO_FORM_PAGE`` / ``PALAUTE_DEMO_CONTENT_PAGE``
name the site's page models (a form page with ``FeedbackFormPageMixin``, a page with
``FeedbackBlockPageMixin``); safe to run again."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import GroupPagePermission

from ..conf import palaute_setting
from ..models import FeedbackCategory
from . import convert

GROUP_NAME = "Kulttuuri- ja liikuntapalvelujen käsittelijät"

#: (code, fi, sv, en, parent code)
CATEGORIES = [
    ("kulttuuri-ja-liikunta", "Kulttuuri ja liikunta", "Kultur och idrott",
     "Culture and sports", None),
    ("kirjasto", "Kirjastopalvelut", "Bibliotekstjänster", "Library services",
     "kulttuuri-ja-liikunta"),
    ("liikuntapaikat", "Liikuntapaikat", "Idrottsplatser", "Sports facilities",
     "kulttuuri-ja-liikunta"),
]

# Field labels per language: (message, name, email, phone, extra field or None)
FORMS = [
    {"slug": "kirjaston-palaute", "category": "kirjasto", "kind": "feedback", "route": False,
     "titles": {"fi": "Kirjaston palautelomake", "sv": "Bibliotekets responsformulär",
                "en": "Library feedback form"},
     "labels": {"fi": ("Palautteesi", "Nimi", "Sähköposti", "Puhelin", "Kirjaston toimipiste"),
                "sv": ("Din respons", "Namn", "E-post", "Telefon", "Biblioteksfilial"),
                "en": ("Your feedback", "Name", "Email", "Phone", "Library branch")},
     "submissions": [
         {"palautteesi": "Lukusalin lehtihyllystä puuttuu Lapin Kansa jo toista viikkoa.",
          "nimi": "Liisa Lukija", "sahkoposti": "liisa.lukija@example.com", "puhelin": "",
          "kirjaston_toimipiste": "Pääkirjasto"},
         {"palautteesi": "Lasten satutunnit lauantaisin olisivat mahtavia!",
          "nimi": "", "sahkoposti": "", "puhelin": "", "kirjaston_toimipiste": "Pääkirjasto"},
     ]},
    {"slug": "liikuntapaikkojen-varauskysymys", "category": "liikuntapaikat",
     "kind": "question", "route": True,
     "titles": {"fi": "Liikuntapaikkojen varauskysymys",
                "sv": "Fråga om bokning av idrottsplatser",
                "en": "Sports facility booking question"},
     "labels": {"fi": ("Kysymyksesi", "Nimi", "Sähköposti", "Puhelin", "Liikuntapaikka"),
                "sv": ("Din fråga", "Namn", "E-post", "Telefon", "Idrottsplats"),
                "en": ("Your question", "Name", "Email", "Phone", "Sports facility")},
     "submissions": [
         {"kysymyksesi": "Onko Raumon jäähallissa vapaita vuoroja tiistai-iltaisin?",
          "nimi": "Pekka Pelaaja", "sahkoposti": "pekka@example.com", "puhelin": "040 111 2222",
          "liikuntapaikka": "Raumon jäähalli"},
     ]},
    {"slug": "kotihoidon-palvelulomake", "category": None, "kind": "feedback", "route": False,
     "titles": {"fi": "Kotihoidon palvelulomake", "sv": "Formulär för hemvård",
                "en": "Home-care service form"},
     "labels": {"fi": ("Asiasi", "Nimi", "Sähköposti", "Puhelin", None),
                "sv": ("Ditt ärende", "Namn", "E-post", "Telefon", None),
                "en": ("Your matter", "Name", "Email", "Phone", None)},
     "submissions": [
         {"asiasi": "Äidilleni kotihoidon käynnit aamuisin kello 8 jälkeen, kiitos.",
          "nimi": "Anna Asiakas", "sahkoposti": "anna@example.com", "puhelin": "040 333 4444"},
     ]},
]

BLOCK_PAGE = {
    "slug": "katujen-talvikunnossapito",
    "titles": {"fi": "Katujen talvikunnossapito", "sv": "Vinterunderhåll av gator",
               "en": "Winter maintenance of streets"},
    "texts": {"fi": "<p>Kaupunki auraa ensin pääkadut, kevyen liikenteen väylät ja "
                    "bussireitit, sitten asuntokadut.</p>",
              "sv": "<p>Staden plogar först huvudgatorna, gång- och cykelvägarna och "
                    "busslinjerna, sedan bostadsgatorna.</p>",
              "en": "<p>The city ploughs main streets, cycle paths and bus routes first, "
                    "then residential streets.</p>"},
    "headings": {"fi": "Anna palautetta talvikunnossapidosta",
                 "sv": "Ge respons om vinterunderhållet",
                 "en": "Give feedback on winter maintenance"},
}


def create_all(homes, feedback_pages, translation_of):
    categories = create_categories()
    form_model = palaute_setting("DEMO_FORM_PAGE")
    if form_model:
        forms = create_forms(apps.get_model(form_model), homes, translation_of, categories)
        grant_form_access(forms)
    content_model = palaute_setting("DEMO_CONTENT_PAGE")
    if content_model:
        create_block_page(apps.get_model(content_model), homes, translation_of,
                          FeedbackCategory.objects.filter(service_code="talvikunnossapito")
                          .first())
    link_model = palaute_setting("DEMO_LINK_SETTINGS")
    if link_model:
        settings_model = apps.get_model(link_model)
        site = homes["fi"].get_site()
        settings_model.objects.update_or_create(
            site=site, defaults={"show_feedback_link": True,
                                 "feedback_page": feedback_pages["fi"]})


def create_categories():
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    categories = {}
    for order, (code, fi, sv, en, parent) in enumerate(CATEGORIES):
        categories[code], _ = FeedbackCategory.objects.update_or_create(
            service_code=code, defaults={
                "name_fi": fi, "name_sv": sv, "name_en": en, "handler_group": group,
                "parent": categories.get(parent), "sort_order": 900 + order,
                "location_mode": FeedbackCategory.LocationMode.HIDDEN})
    return categories


def create_forms(model, homes, translation_of, categories):
    from wagtail.contrib.forms.utils import get_field_clean_name

    created = []
    for spec in FORMS:
        labels = spec["labels"]["fi"]
        page = model.objects.filter(slug=spec["slug"], locale=homes["fi"].locale).first()
        if page is None:
            page = model(
                title=spec["titles"]["fi"], slug=spec["slug"],
                to_address="palvelut@tornio.example", from_address="",
                subject=spec["titles"]["fi"], feedback_category=categories.get(spec["category"]),
                feedback_kind=spec["kind"], feedback_message_field=labels[0],
                feedback_name_field=labels[1], feedback_email_field=labels[2],
                feedback_phone_field=labels[3], route_to_feedback=spec["route"],
                thank_you_text="<p>Kiitos! Olemme vastaanottaneet lomakkeesi.</p>")
            form_field = page._meta.get_field("form_fields").related_model
            page.form_fields = [
                form_field(label=labels[0], field_type="multiline", required=True),
                form_field(label=labels[1], field_type="singleline", required=False),
                form_field(label=labels[2], field_type="email", required=False),
                form_field(label=labels[3], field_type="singleline", required=False),
            ] + ([form_field(label=labels[4], field_type="singleline", required=False)]
                 if labels[4] else [])
            homes["fi"].add_child(instance=page)
            page.save_revision().publish()
            for values in spec["submissions"]:
                submission = FormSubmission.objects.create(page=page, form_data=values)
                if spec["route"]:
                    convert.auto_route(page, submission)
        created.append(page)
        for code in ("sv", "en"):
            translated = translation_of(page, homes[code].locale, title=spec["titles"][code],
                                        subject=spec["titles"][code])
            translate_labels(translated, spec["labels"][code], get_field_clean_name)
            created.append(translated)
    return created


def translate_labels(page, labels, clean_name):
    """The translated form's field labels and its mapping, in its language."""
    fields = list(page.form_fields.order_by("sort_order"))
    if fields and fields[0].label == labels[0]:
        return
    for field, label in zip(fields, [label for label in labels if label], strict=False):
        field.label = label
        field.clean_name = clean_name(label)
        field.save()
    page.feedback_message_field, page.feedback_name_field = labels[0], labels[1]
    page.feedback_email_field, page.feedback_phone_field = labels[2], labels[3]
    page.save_revision().publish()


def grant_form_access(forms):
    """The culture and sports handlers see (and convert) the forms' submissions."""
    group = Group.objects.get(name=GROUP_NAME)
    change = Permission.objects.get(codename="change_page", content_type__app_label="wagtailcore")
    for page in forms:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=change)


def create_block_page(model, homes, translation_of, category):
    page = model.objects.filter(slug=BLOCK_PAGE["slug"], locale=homes["fi"].locale).first()
    if page is None:
        page = model(title=BLOCK_PAGE["titles"]["fi"], slug=BLOCK_PAGE["slug"],
                     body=block_body("fi", category), feedback_category=category)
        homes["fi"].add_child(instance=page)
        page.save_revision().publish()
    for code in ("sv", "en"):
        translation_of(page, homes[code].locale, title=BLOCK_PAGE["titles"][code],
                       body=block_body(code, category))
    return page


def block_body(language, category):
    return [("paragraph", BLOCK_PAGE["texts"][language]),
            ("feedback", {"heading": BLOCK_PAGE["headings"][language], "category": category,
                          "category_group": None})]
