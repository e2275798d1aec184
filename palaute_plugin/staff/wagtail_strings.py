"""Wagtail 8.0's admin sentences that its Swedish catalog lacks, in Swedish.

Django falls back to the site's default language for a sentence a catalog lacks, so
Swedish staff read these in Finnish ("Sivupaneelin leveys", "Luo uusi …"; staff
acceptance test, 2026-12-03). Listed here so that ``makemessages`` keeps them in this
app's catalogs (only the Swedish one translates them; Finnish and English come from
Wagtail). The msgids must stay exactly as Wagtail writes them; an app listed before
``wagtail.admin`` in ``INSTALLED_APPS`` wins a conflict. "%(label)s and Publish" is
here for its Swedish, which capitalised "Publicera" mid-sentence.
"""

from django.utils.translation import gettext_noop, ngettext_noop

WAGTAIL_ADMIN_SENTENCES = [
    gettext_noop("%(model_name)s '%(object)s' created and published."),
    gettext_noop("%(model_name)s '%(object)s' updated and published."),
    gettext_noop("%(user_name)s has unsaved changes"),
    gettext_noop("%(user_name)s saved a new version"),
    gettext_noop("'%(page_title)s' has been moved successfully."),
    ngettext_noop("1 snippet type", "%(counter)s snippet types"),
    gettext_noop("Anyone with editing permissions can create schedules"),
    gettext_noop("Button text is empty"),
    gettext_noop("Compare"),
    gettext_noop("Create a new %(model_name)s"),
    gettext_noop("Empty heading found"),
    gettext_noop("Expiry:"),
    gettext_noop("Go-live:"),
    gettext_noop("Invalid schedule"),
    gettext_noop("Link text is empty"),
    gettext_noop("Minimap"),
    gettext_noop("Page/Snippet Type"),
    gettext_noop("Refresh"),
    gettext_noop("Refreshing…"),
    gettext_noop("Side panel width"),
    gettext_noop("Side panels"),
    gettext_noop("This workflow is disabled so it cannot be assigned to any snippets."),
    gettext_noop("Removed the '%(restriction)s' view restriction. The page is public."),
    gettext_noop("may prevent deletion"),
    gettext_noop("will do nothing"),
    gettext_noop("%(label)s and Publish"),
]
