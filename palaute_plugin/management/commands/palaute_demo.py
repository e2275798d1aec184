"""``manage.py palaute_demo``: idempotent demo content for trying the feedback system."""

from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from wagtail.models import Locale, Page, Site

from palaute_plugin import actions
from palaute_plugin.answers import demo as answers_demo
from palaute_plugin.conf import palaute_setting
from palaute_plugin.legacy import demo as legacy_demo
from palaute_plugin.models import (
    Feedback,
    FeedbackCategory,
    FeedbackPage,
    OtherAuthority,
    ResponseTemplate,
)
from palaute_plugin.places.demo import create_places
from palaute_plugin.publication import demo as publication_demo

DEMO_PASSWORD = "tornio-demo"  # noqa: S105 (printed for the demo on purpose)

PAGE_TEXTS = {
    "fi": {"home": "Tornion kaupunki", "title": "Palaute",
           "intro": "<p>Anna palautetta, kysy tai tee toimenpide-ehdotus kaupungin "
                    "palveluista. Voit liittää kuvia ja merkitä paikan kartalle.</p>"},
    "sv": {"home": "Torneå stad", "title": "Respons",
           "intro": "<p>Ge respons, ställ en fråga eller föreslå en åtgärd om stadens "
                    "tjänster. Du kan bifoga bilder och märka ut platsen på kartan.</p>"},
    "en": {"home": "City of Tornio", "title": "Feedback",
           "intro": "<p>Give feedback, ask a question or propose an action about the city's "
                    "services. You can attach photos and mark the place on a map.</p>"},
}

AUTHORITIES = [
    {"key": "ely", "name_fi": "Lapin ELY-keskus", "name_sv": "NTM-centralen i Lappland",
     "name_en": "Lapland ELY Centre",
     "handles_fi": "Valtatiet E4 ja E8 sekä muut maantiet",
     "handles_sv": "Riksvägarna E4 och E8 och andra landsvägar",
     "handles_en": "State roads E4 and E8 and other highways",
     "website": "https://www.ely-keskus.fi/lappi", "email": "kirjaamo.lappi@ely-keskus.fi",
     "phone": "0295 037 000"},
    {"key": "vayla", "name_fi": "Väylävirasto", "name_sv": "Trafikledsverket",
     "name_en": "Finnish Transport Infrastructure Agency",
     "handles_fi": "Rautatiet ja tasoristeykset", "handles_sv": "Järnvägar och plankorsningar",
     "handles_en": "Railways and level crossings", "website": "https://vayla.fi",
     "email": "kirjaamo@vayla.fi", "phone": "0295 34 3000"},
    {"key": "hyvinvointialue", "name_fi": "Lapin hyvinvointialue",
     "name_sv": "Lapplands välfärdsområde", "name_en": "Wellbeing Services County of Lapland",
     "handles_fi": "Sosiaali- ja terveyspalvelut", "handles_sv": "Social- och hälsovårdstjänster",
     "handles_en": "Social and health services", "website": "https://lapha.fi",
     "email": "kirjaamo@lapha.fi", "phone": "016 328 0000"},
]

# (code, fi, sv, en, handler group, children: (code, fi, sv, en, options))
CATEGORIES = [
    ("asuminen", "Asuminen", "Boende", "Housing", "Asumisen käsittelijät", [
        ("vuokra-asunnot", "Kaupungin vuokra-asunnot", "Stadens hyresbostäder",
         "City rental housing", {}),
        ("rakennusvalvonta", "Rakennusvalvonta ja luvat", "Byggnadstillsyn och tillstånd",
         "Building control and permits", {"location_mode": "optional"}),
        # Sensitive: its answers are approved before they are sent (answers.demo).
        (*answers_demo.CATEGORY, {"location_mode": "hidden"}),
    ]),
    ("liikenne", "Liikenne", "Trafik", "Traffic", "Liikenteen käsittelijät", [
        ("katujen-kunto", "Katujen kunto", "Gatornas skick", "Street condition",
         {"location_mode": "required", "expected_response_days": 7}),
        ("katuvalaistus", "Katuvalaistus", "Gatubelysning", "Street lighting",
         {"location_mode": "required", "expected_response_days": 7}),
        ("talvikunnossapito", "Talvikunnossapito", "Vinterunderhåll", "Winter maintenance",
         {"expected_response_days": 3}),
        ("pysakointi", "Pysäköinti", "Parkering", "Parking", {}),
        # A parent's question about a school route has a topic, the place optional.
        ("liikenneturvallisuus", "Liikenneturvallisuus ja koulumatkat",
         "Trafiksäkerhet och skolvägar", "Traffic safety and routes to school",
         {"location_mode": "optional"}),
        ("valtatiet", "Valtatiet E4 ja E8", "Riksvägarna E4 och E8", "State roads E4 and E8",
         {"authority": "ely"}),
        ("rautatiet", "Rautatiet ja tasoristeykset", "Järnvägar och plankorsningar",
         "Railways and level crossings", {"authority": "vayla"}),
    ]),
    ("ymparisto", "Ympäristö", "Miljö", "Environment", "Ympäristön käsittelijät", [
        ("puistot", "Puistot ja viheralueet", "Parker och grönområden", "Parks and green areas",
         {}),
        ("roskaantuminen", "Roskaantuminen ja ilkivalta", "Nedskräpning och skadegörelse",
         "Litter and vandalism", {}),
    ]),
    ("kiinteistonhoito", "Kiinteistönhoito", "Fastighetsskötsel", "Property maintenance",
     "Kiinteistönhoidon käsittelijät", [
        ("kaupungin-rakennukset", "Kaupungin rakennukset", "Stadens byggnader",
         "City buildings", {}),
        ("koulujen-kiinteistot", "Koulujen ja päiväkotien kiinteistöt",
         "Skolornas och daghemmens fastigheter", "School and day-care buildings", {}),
    ]),
    ("ateria-ja-puhtauspalvelut", "Ateria- ja puhtauspalvelut", "Måltids- och städtjänster",
     "Meal and cleaning services", "Ateria- ja puhtauspalvelujen käsittelijät", [
        ("kouluruoka", "Koulu- ja päiväkotiruoka", "Skol- och daghemsmat",
         "School and day-care meals", {"location_mode": "hidden"}),
        ("siivous", "Siivous", "Städning", "Cleaning", {"location_mode": "hidden"}),
    ]),
    ("palautejarjestelma", "Palaute tästä palautejärjestelmästä",
     "Respons om detta responssystem", "Feedback about this feedback system",
     "Palautejärjestelmän kehittäjät", []),
]

#: Full names (first, last) of the demo users: Wagtail's account settings need both.
FULL_NAMES = {"admin": ("Aino", "Pääkäyttäjä"), "moderaattori": ("Mikko", "Moderaattori"),
              "asuminen": ("Anna", "Asuminen"), "liikenne": ("Liisa", "Liikenne"),
              "ymparisto": ("Ville", "Ympäristö"), "kiinteisto": ("Kalle", "Kiinteistö"),
              "ateria": ("Anu", "Ateria"), "kehittaja": ("Kaisa", "Kehittäjä"),
              "editor": ("Veera", "Verkkotoimittaja"), "hyvaksyja": ("Hanna", "Hyväksyjä")}

#: Told with the responsible person when a case is overdue (``insights.clock``'s
#: escalation); the demo's emails land in ``var/sent-emails/``.
SUPERVISOR_EMAIL = "esihenkilo@tornio.example"
#: Told of new feedback in the culture and sports topics (their handler group has no
#: demo login).
CULTURE_EMAIL = "kulttuuri@tornio.example"

USERNAMES = {"asuminen": "asuminen", "liikenne": "liikenne", "ymparisto": "ymparisto",
             "kiinteistonhoito": "kiinteisto", "ateria-ja-puhtauspalvelut": "ateria",
             "palautejarjestelma": "kehittaja"}

EXAMPLES = [
    ("katuvalaistus", "feedback", "Katuvalo ei pala Hallituskadun ja Länsiranta­kadun "
     "risteyksessä. Pimeää kävellä koulumatkalla.", (65.8463, 24.1440), "Hallituskatu 12", "fi"),
    ("talvikunnossapito", "feedback", "Pyörätie on auraamatta Putaansaaresta keskustaan.",
     (65.8530, 24.1560), "Putaantie", "fi"),
    ("puistot", "proposal", "Förslag: fler bänkar längs strandpromenaden vid Torne älv.",
     (65.8440, 24.1380), "Rantakatu", "sv"),
    ("kouluruoka", "question", "When is the school lunch menu for next week published?",
     None, "", "en"),
    ("palautejarjestelma", "feedback", "Lomake toimi hyvin puhelimella, kiitos!", None, "", "fi"),
]


class Command(BaseCommand):
    help = "Create demo content for the feedback system (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://localhost:8000",
                            help="Address the demo site is served at (for links in emails).")

    def handle(self, *args, base_url, **options):
        with transaction.atomic():
            locales = {code: Locale.objects.get_or_create(language_code=code)[0]
                       for code in PAGE_TEXTS}
            homes = self.create_site(locales, base_url)
            pages = self.create_feedback_pages(homes, locales)
            authorities = self.create_authorities()
            groups = self.create_groups()
            users = self.create_users(groups)
            categories = self.create_categories(groups, users, authorities)
            self.create_response_templates(categories)
            answers_demo.setup_workflow()
            answers_demo.require_approval(categories[answers_demo.CATEGORY[0]],
                                          groups["answer_approvers"])
            create_places()
            publication_demo.setup_workflow(
                groups["moderators"],
                [groups[group_name] for *_, group_name, _children in CATEGORIES])
            legacy_demo.create_all(homes, pages, self.translation_of)
            FeedbackCategory.objects.filter(
                service_code__in=[code for code, *_rest in legacy_demo.CATEGORIES]).update(
                supervisor_email=SUPERVISOR_EMAIL, notification_emails=CULTURE_EMAIL)
        self.create_examples(categories, pages)
        self.publish_examples(users)
        self.print_summary(base_url, users)

    def create_site(self, locales, base_url):
        url = urlsplit(base_url)
        home = self.home_page(locales["fi"])
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": url.hostname,
                      "port": url.port or (443 if url.scheme == "https" else 80),
                      "root_page": home,
                      "site_name": "Tornio"})
        if palaute_setting("DEMO_HOME_PAGE"):
            # Wagtail's own welcome page is not part of the city site.
            Page.objects.filter(depth=2, content_type__model="page").exclude(
                pk=home.pk).delete()
        homes = {"fi": home}
        for code in ("sv", "en"):
            homes[code] = self.translation_of(home, locales[code],
                                              title=PAGE_TEXTS[code]["home"])
        return homes

    def home_page(self, locale):
        """The site's home: a ``PALAUTE_DEMO_HOME_PAGE`` page (created once), or else the
        default site's root page whatever its type (a site without a home page app)."""
        model_name = palaute_setting("DEMO_HOME_PAGE")
        if not model_name:
            site = Site.objects.filter(is_default_site=True).first()
            if site is not None:
                return site.root_page.specific
            return Page.get_first_root_node().add_child(instance=Page(
                title=PAGE_TEXTS["fi"]["home"], slug="tornio", locale=locale))
        home_model = apps.get_model(model_name)
        home = home_model.objects.filter(locale=locale).first()
        if home is None:
            home = Page.get_first_root_node().add_child(instance=home_model(
                title=PAGE_TEXTS["fi"]["home"], slug="tornio", locale=locale))
        return home

    def translation_of(self, page, locale, **fields):
        existing = page.get_translation_or_none(locale)
        if existing:
            return existing.specific
        copy = page.copy_for_translation(locale).specific
        for name, value in fields.items():
            setattr(copy, name, value)
        copy.save_revision().publish()
        copy.refresh_from_db()
        return copy

    def create_feedback_pages(self, homes, locales):
        fi = FeedbackPage.objects.filter(locale=locales["fi"]).first()
        if fi is None:
            fi = homes["fi"].add_child(instance=FeedbackPage(
                title=PAGE_TEXTS["fi"]["title"], slug="palaute", locale=locales["fi"],
                intro=PAGE_TEXTS["fi"]["intro"]))
        pages = {"fi": fi}
        for code in ("sv", "en"):
            pages[code] = self.translation_of(fi, locales[code], title=PAGE_TEXTS[code]["title"],
                                              intro=PAGE_TEXTS[code]["intro"])
        return pages

    def create_authorities(self):
        authorities = {}
        for data in AUTHORITIES:
            data = dict(data)
            key = data.pop("key")
            authorities[key], _ = OtherAuthority.objects.update_or_create(
                name_fi=data["name_fi"], defaults=data)
        return authorities

    def create_groups(self):
        access_admin = Permission.objects.get(codename="access_admin")
        groups = {}
        for *_, group_name, _children in CATEGORIES:
            group, _ = Group.objects.get_or_create(name=group_name)
            group.permissions.add(access_admin)
            groups[group_name] = group
        admins, _ = Group.objects.get_or_create(name=palaute_setting("ADMIN_GROUP_NAME"))
        admins.permissions.add(access_admin, *Permission.objects.filter(
            content_type__app_label="palaute_plugin",
            codename__in=["view_all_feedback", "add_feedbackcategory", "change_feedbackcategory",
                          "delete_feedbackcategory", "add_otherauthority",
                          "change_otherauthority", "delete_otherauthority",
                          "add_responsetemplate", "change_responsetemplate",
                          "delete_responsetemplate", "add_place", "change_place",
                          "delete_place"]))
        groups["admins"] = admins
        moderators, _ = Group.objects.get_or_create(name="Palautteen moderaattorit")
        moderators.permissions.add(access_admin)
        groups["moderators"] = moderators
        groups["answer_approvers"] = answers_demo.approver_group()
        return groups

    def create_users(self, groups):
        user_model = get_user_model()
        specs = [("admin", "Pääkäyttäjä", "admins", True),
                 ("moderaattori", "Moderaattori", "moderators", False),
                 ("hyvaksyja", "Vastausten hyväksyjä", "answer_approvers", False)] + [
            (USERNAMES[code], name_fi, group, False)
            for code, name_fi, _sv, _en, group, _children in CATEGORIES
        ]
        editors = Group.objects.filter(name="Editors").first()
        if editors:  # Wagtail's own editors group: pages, plus our snippets
            editors.permissions.add(*Permission.objects.filter(
                content_type__app_label="palaute_plugin",
                codename__in=["add_feedbackcategory", "change_feedbackcategory",
                              "add_otherauthority", "change_otherauthority",
                              "add_responsetemplate", "change_responsetemplate"]))
            groups["Editors"] = editors
            specs.append(("editor", "Verkkotoimittaja", "Editors", False))
        users = {}
        for username, team_name, group_name, superuser in specs:
            first_name, last_name = FULL_NAMES.get(username, (team_name, team_name))
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@tornio.example", "first_name": first_name,
                          "last_name": last_name,
                          "is_staff": superuser, "is_superuser": superuser})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            elif not user.last_name:  # a demo from before full names
                user.first_name, user.last_name = first_name, last_name
                user.save(update_fields=["first_name", "last_name"])
            user.groups.add(groups[group_name])
            users[username] = (user, groups[group_name].name)
        return users

    def create_categories(self, groups, users, authorities):
        responsible = {group: user for user, group in users.values()}
        categories = {}
        for order, (code, fi, sv, en, group_name, children) in enumerate(CATEGORIES):
            group = groups[group_name]
            parent = self.category(code, fi, sv, en, group, responsible[group_name], order * 100)
            categories[code] = parent
            if code == "palautejarjestelma":
                parent.location_mode = FeedbackCategory.LocationMode.HIDDEN
                parent.notification_emails = "kehittajat@tornio.example"
                parent.save()
            for index, (child_code, cfi, csv, cen, options) in enumerate(children):
                options = dict(options)
                authority = authorities.get(options.pop("authority", None))
                categories[child_code] = self.category(
                    child_code, cfi, csv, cen, group, responsible[group_name],
                    order * 100 + index + 1, parent=parent, other_authority=authority, **options)
        return categories

    def category(self, code, fi, sv, en, group, person, order, **extra):
        category, _ = FeedbackCategory.objects.update_or_create(
            service_code=code,
            defaults={"name_fi": fi, "name_sv": sv, "name_en": en, "handler_group": group,
                      "responsible_person": person, "sort_order": order,
                      "supervisor_email": SUPERVISOR_EMAIL, **extra})
        return category

    def create_response_templates(self, categories):
        templates = [
            (("Kiitos, korjataan", "Tack, åtgärdas", "Thank you, will be fixed"), None,
             "Kiitos palautteestasi {reference}. Asia on välitetty korjattavaksi.",
             "Tack för din respons {reference}. Ärendet har skickats för åtgärd.",
             "Thank you for your feedback {reference}. The matter has been sent to be fixed."),
            (("Katuvalo vaihdettu", "Gatlampan bytt", "Street light replaced"),
             categories["katuvalaistus"],
             "Katuvalo on korjattu. Kiitos ilmoituksesta!",
             "Gatlampan är lagad. Tack för anmälan!",
             "The street light has been repaired. Thank you for letting us know!"),
        ]
        for (title, title_sv, title_en), category, fi, sv, en in templates:
            ResponseTemplate.objects.update_or_create(
                title=title, defaults={"title_sv": title_sv, "title_en": title_en,
                                       "category": category, "text_fi": fi, "text_sv": sv,
                                       "text_en": en})

    def create_examples(self, categories, pages):
        for number, (code, kind, message, location, address, language) in enumerate(EXAMPLES):
            with translation.override(language):
                actions.submit_feedback(
                    actions.Submission(
                        category=categories[code], kind=kind, message=message,
                        location=location, address=address, language=language,
                        contact_email=f"asukas{number + 1}@example.com"),
                    page=pages[language], submission_key=f"demo-example-{number + 1}")
        return Feedback.objects.count()

    def publish_examples(self, users):
        """The demo's located web examples, published through the workflow."""
        cases = Feedback.objects.filter(submission_key__startswith="demo-example-",
                                        latitude__isnull=False).select_related("category")
        publication_demo.publish_examples(
            cases, moderator=users["moderaattori"][0],
            handler_for=lambda case: case.category.responsible_person)

    def print_summary(self, base_url, users):
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write(f"  Feedback form:  {base_url}/palaute/  (/sv/palaute/, /en/palaute/)")
        self.stdout.write(f"  Wagtail admin:  {base_url}/admin/")
        self.stdout.write(f"  Feedback block: {base_url}/katujen-talvikunnossapito/  "
                          f"Free-form forms: {base_url}/admin/forms/")
        self.stdout.write(f"  Overdue cases escalate to the responsible person and "
                          f"{SUPERVISOR_EMAIL}")
        self.stdout.write(f"  Logins (password for all: {DEMO_PASSWORD}):")
        for username, (_user, group) in users.items():
            self.stdout.write(f"    {username:<14} {group}")
