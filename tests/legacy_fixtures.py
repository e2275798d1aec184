"""A free-form form page (``home.FormPage``) with submissions, for the legacy-form tests."""

import json

from django.contrib.auth.models import Permission
from django.test import TestCase
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import GroupPagePermission, Locale

from home.models import FormField, FormPage

from .factories import site_root


def legacy_form(slug="kirjastopalaute", title="Kirjaston palaute", **fields):
    """A live form: message, name, email and phone fields, emails to the library."""
    page = FormPage(title=title, slug=slug, to_address="kirjasto@tornio.example",
                    subject="Kirjaston palaute", **fields)
    page.form_fields = [
        FormField(label="Viesti", field_type="multiline", required=True),
        FormField(label="Nimi", field_type="singleline", required=False),
        FormField(label="Sähköposti", field_type="email", required=False),
        FormField(label="Puhelin", field_type="singleline", required=False),
    ]
    site_root().add_child(instance=page)
    page.save_revision().publish()
    return page


def submission_of(page, **data):
    values = {"viesti": "Lehtiä puuttuu lukusalista.", "nimi": "Liisa Lukija",
              "sahkoposti": "liisa@example.com", "puhelin": "040 765 4321"}
    values.update(data)
    return FormSubmission.objects.create(page=page, form_data=json.loads(json.dumps(values)))


def may_edit_forms(group, page):
    """Wagtail's rule for form submissions: the group may change (edit) the page."""
    GroupPagePermission.objects.get_or_create(
        group=group, page=page, permission=Permission.objects.get(
            codename="change_page", content_type__app_label="wagtailcore"))


def translated_form(page, code, title):
    locale = Locale.objects.get_or_create(language_code=code)[0]
    page.get_parent().specific.copy_for_translation(locale).save_revision().publish()
    copy = page.copy_for_translation(locale)
    copy.title = title
    copy.save_revision().publish()
    return copy


def run_commits(function, *args, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)
