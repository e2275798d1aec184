"""Test data. Pages need a tree, so ``feedback_page()`` builds the site once per test."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from palaute_plugin.models import Feedback, FeedbackCategory, FeedbackPage, OtherAuthority


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@tornio.example")
    password = factory.django.Password("password")
    is_staff = False


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Handlers {n}")


class OtherAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OtherAuthority

    name_fi = "Lapin ELY-keskus"
    name_sv = "NTM-centralen i Lappland"
    name_en = "Lapland ELY Centre"
    handles_fi = "Valtatiet E4 ja E8"
    handles_sv = "Riksvägarna E4 och E8"
    handles_en = "State roads E4 and E8"
    website = "https://www.ely-keskus.fi/lappi"
    email = "kirjaamo.lappi@ely-keskus.fi"
    phone = "0295 037 000"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackCategory

    name_fi = factory.Sequence(lambda n: f"Kategoria {n}")
    name_sv = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    service_code = factory.Sequence(lambda n: f"category-{n}")
    handler_group = factory.SubFactory(GroupFactory)
    expected_response_days = 14


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    category = factory.SubFactory(CategoryFactory)
    message = "Katuvalo on rikki Hallituskadulla."
    contact_email = "asukas@example.com"
    language = "fi"


def site_root():
    """The Finnish home page as the default site's root (created once)."""
    locale, _ = Locale.objects.get_or_create(language_code="fi")
    home = HomePage.objects.filter(locale=locale).first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Tornio", slug="koti", locale=locale))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home,
                      "site_name": "Tornio"},
        )
    return home


def feedback_page(**kwargs):
    """The feedback page at /palaute/ (Finnish), created once."""
    existing = FeedbackPage.objects.filter(slug="palaute", locale__language_code="fi").first()
    if existing:
        return existing
    home = site_root()
    defaults = {"title": "Palaute", "slug": "palaute", "intro": "<p>Kerro meille.</p>"}
    defaults.update(kwargs)
    return home.add_child(instance=FeedbackPage(**defaults))
