"""Generated data for ``bench.scale``: PostgreSQL databases of 1,000 to 1,000,000 cases.

Each database is created, migrated with the project's migrations, given staff
through the ORM (categories, groups, users, a feedback page), then filled with
COPY (psycopg 3 ``cursor.copy``) on six connections at once: cases, photo rows,
Wagtail log entries, notifications, public records and their photo copies; then
the statistics' daily aggregate is built (``stats.aggregates.refresh``). One
million cases take a few minutes.

The cases are one history generated newest first from a fixed seed, so the
1,000-case database holds exactly the newest 1,000 cases of the 1,000,000-case
one (same primary keys, tokens and texts; references run per year from the
oldest case, so they differ): a page that shows the newest
cases shows the same rows in both, and the ratio is what the history costs.

Run on its own (the benchmark calls it in a subprocess)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/palaute_E_1k \\
        .venv/bin/python -m bench.scale_data 1000
"""

import base64
import itertools
import json
import os
import random
import sys
import uuid
from datetime import timedelta

SEED = 13
TEN_YEARS = timedelta(days=3652)
#: One case every 5.3 minutes: 1,000,000 cases span ten years, the newest
#: 1,000 about four days (a young system).
CASE_INTERVAL = TEN_YEARS / 1_000_000
HANDLED_GROUP = 0  # the category handler handles the first group's categories

#: Five groups of three categories each, plus five categories on their own: 20 in all.
GROUPS = {
    "Liikenne": ["Katuvalot", "Kadut ja tiet", "Pysäköinti"],
    "Ympäristö": ["Puistot", "Roskat ja siivous", "Vesistöt"],
    "Asuminen": ["Vuokra-asunnot", "Kiinteistönhoito", "Naapurusto"],
    "Liikunta": ["Uimahalli", "Ladut", "Kentät"],
    "Palvelut": ["Ateriapalvelut", "Puhtauspalvelut", "Asiointi"],
}
SINGLE_CATEGORIES = ["Kirjasto", "Kulttuuri", "Nuoriso", "Satama", "Palautejärjestelmä"]
#: Expected response days by category number: a few urgent categories, so that even
#: the four days of the 1,000-case database hold overdue cases.
RESPONSE_DAYS = [2, 14, 7, 1, 14, 14, 30, 14, 14, 14, 3, 14, 14, 14, 14, 14, 21, 14, 14, 7]

MESSAGES = {
    "fi": [
        "Katuvalo ei pala osoitteessa {street} {number}. Pimeää jo kolmatta iltaa.",
        "Kadulla {street} on syvä kuoppa, joka on vaarallinen pyöräilijöille.",
        "Puiston roska-astiat ovat täynnä ({street}). Voisiko tyhjennystä lisätä?",
        "Latu on ajamatta {street} kohdalla, vaikka lunta satoi eilen {number} cm.",
        "Kiitos nopeasta korjauksesta! Leikkipaikka {street} on taas turvallinen.",
        "Bussipysäkin katos on rikki kadulla {street}, lasinsiruja maassa.",
        "Ehdotan penkkejä rantareitille {street} lähelle, vanhuksille levähdyspaikoiksi.",
    ],
    "sv": [
        "Gatlyktan vid {street} {number} lyser inte. Det har varit mörkt i tre kvällar.",
        "Det finns ett djupt hål i gatan vid {street}, farligt för cyklister.",
        "Soptunnorna i parken vid {street} är fulla. Kunde de tömmas oftare?",
        "Skidspåret vid {street} är inte preparerat fast det snöade {number} cm.",
    ],
    "en": [
        "The street light at {street} {number} is out; it has been dark for three nights.",
        "There is a deep pothole on {street}, dangerous for cyclists.",
        "The bins in the park by {street} are full. Could they be emptied more often?",
        "Thank you for the quick repair at {street}, the playground is safe again.",
    ],
}
STREETS = ["Hallituskatu", "Länsiranta", "Kauppakatu", "Torikatu", "Saarenpäänkatu",
           "Suensaarenkatu", "Putaankatu", "Seminaarinkatu", "Pudasjärventie", "Rantakatu"]

OPEN_STATUSES = [("new", 40), ("in_progress", 40), ("work_list", 20)]
CLOSED_STATUSES = [("resolved", 50), ("closed", 20), ("already_known", 10),
                   ("redirected", 8), ("rejected", 12)]
KINDS = [("feedback", 70), ("question", 20), ("proposal", 10)]
CHANNELS = [("web", 80), ("phone", 8), ("email", 5), ("service_point", 3), ("post", 2),
            ("legacy_form", 1), ("api", 1)]
LANGUAGES = [("fi", 85), ("sv", 8), ("en", 7)]
#: The share of cases (not rejected) with a live public record.
PUBLISHED_SHARE = 0.2
#: ``PALAUTE_BENCH_ALL_PUBLISHED=1``: no case is rejected and every case has a live
#: public record, so a million cases are a million public records (issue 9's aim is set
#: "at 1,000,000 published cases"; ``bench.scale --all-published``).
ALL_PUBLISHED = os.environ.get("PALAUTE_BENCH_ALL_PUBLISHED") == "1"
if ALL_PUBLISHED:
    CLOSED_STATUSES = [(status, weight) for status, weight in CLOSED_STATUSES
                       if status != "rejected"]
    PUBLISHED_SHARE = 1.0


def _chooser(weighted):
    values = [value for value, _weight in weighted]
    cumulative, total = [], 0
    for _value, weight in weighted:
        total += weight
        cumulative.append(total)
    return lambda rng: rng.choices(values, cum_weights=cumulative)[0]


pick_open_status = _chooser(OPEN_STATUSES)
pick_closed_status = _chooser(CLOSED_STATUSES)
pick_kind = _chooser(KINDS)
pick_channel = _chooser(CHANNELS)
pick_language = _chooser(LANGUAGES)


def open_probability(age):
    """Most recent cases are open; a small backlog of old ones stays open."""
    if age < timedelta(days=14):
        return 0.7
    if age < timedelta(days=90):
        return 0.25
    return 0.02


# ---------------------------------------------------------------------------
# Staff, through the ORM (few rows; the models' own save() logic applies)


def create_staff():
    """Categories, groups and users; the same primary keys in every generated database."""
    from django.contrib.auth.models import Group, Permission

    from palaute_plugin.models import FeedbackCategory
    from tests.factories import UserFactory, feedback_page

    access = Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    page = feedback_page()
    admin = UserFactory(username="bench_admin", is_superuser=True, first_name="Ylläpitäjä")
    handler = UserFactory(username="bench_handler", first_name="Sanna", last_name="Katu")
    categories = []
    for group_index, (group_name, children) in enumerate(
            list(GROUPS.items()) + [(name, []) for name in SINGLE_CATEGORIES]):
        group = Group.objects.create(name=f"Käsittelijät: {group_name}")
        group.permissions.add(access)
        if group_index == HANDLED_GROUP:
            handler.groups.add(group)
        people = [UserFactory(username=f"bench_{group_index}_{n}", first_name="Käsittelijä",
                              last_name=f"{group_index}.{n}") for n in range(2)]
        for person in people:
            person.groups.add(group)
        parent = FeedbackCategory.objects.create(
            name_fi=group_name, name_sv=f"{group_name} (sv)", name_en=f"{group_name} (en)",
            service_code=f"bench-{group_index}", handler_group=group,
            responsible_person=people[0], sort_order=group_index,
            expected_response_days=RESPONSE_DAYS[len(categories)])
        if not children:
            categories.append((parent, [person.pk for person in people]))
        for child_index, child_name in enumerate(children):
            child = FeedbackCategory.objects.create(
                name_fi=child_name, service_code=f"bench-{group_index}-{child_index}",
                parent=parent, handler_group=group, responsible_person=people[child_index % 2],
                sort_order=child_index, expected_response_days=RESPONSE_DAYS[len(categories)])
            categories.append((child, [person.pk for person in people]))
    for user in (admin, handler):
        _in_english(user)
    return page, categories


def _in_english(user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


# ---------------------------------------------------------------------------
# Cases and their rows, generated newest first


class Generator:
    """Rows of one history; ``case(number)`` for ``number`` = 0 (newest), 1, 2, ..."""

    def __init__(self, now, page_id, categories, content_type_id, reference_prefix):
        self.rng = random.Random(SEED)
        self.now = now
        self.page_id = page_id
        self.categories = categories  # [(category, [handler ids])]
        # A few busy categories, many quiet ones (Zipf-like weights).
        self.category_weights = list(
            itertools.accumulate(1 / (rank + 1) for rank in range(len(categories))))
        self.content_type_id = content_type_id
        self.prefix = reference_prefix
        self.year_counts = {}
        self.log_id = self.photo_id = self.notification_id = self.publication_id = 0

    def _token(self):
        return base64.urlsafe_b64encode(self.rng.getrandbits(256).to_bytes(32, "big")
                                        ).rstrip(b"=").decode()

    def case(self, number):
        rng = self.rng
        created = self.now - CASE_INTERVAL * number - timedelta(seconds=rng.randrange(60))
        category, handler_ids = rng.choices(self.categories, cum_weights=self.category_weights)[0]
        language = pick_language(rng)
        is_open = rng.random() < open_probability(self.now - created)
        status = pick_open_status(rng) if is_open else pick_closed_status(rng)
        roll = rng.random()
        assignee = (category.responsible_person_id if roll < 0.7
                    else handler_ids[1] if roll < 0.85 else None)
        street = rng.choice(STREETS)
        message = rng.choice(MESSAGES[language]).format(street=street, number=rng.randrange(1, 90))
        if rng.random() < 0.3:
            message += " " + rng.choice(MESSAGES[language]).format(street=rng.choice(STREETS),
                                                                  number=rng.randrange(1, 90))
        has_location = rng.random() < 0.6
        responded = (status != "new" and rng.random() < 0.9)
        first_response = created + timedelta(hours=rng.randrange(1, 24 * 20)) if responded else None
        if first_response and first_response > self.now:
            first_response = self.now
        due = created + timedelta(days=category.expected_response_days)
        closed = None if is_open else (first_response or created + timedelta(days=3))
        has_email = rng.random() < 0.7
        return {
            "id": number + 1, "year": created.year,
            "tracking_token": self._token(), "submission_key": None,
            "kind": pick_kind(rng), "category_id": category.pk, "message": message,
            "latitude": 65.846 + rng.uniform(-0.05, 0.05) if has_location else None,
            "longitude": 24.146 + rng.uniform(-0.08, 0.08) if has_location else None,
            "address": f"{street} {rng.randrange(1, 90)}" if has_location else "",
            "contact_name": "Maija Meikäläinen" if has_email else "",
            "contact_email": f"asukas{number}@example.com" if has_email else "",
            "contact_phone": "", "language": language, "channel": pick_channel(rng),
            "status": status, "assignee_id": assignee, "duplicate_of_id": None,
            "redirected_to_id": None, "page_id": self.page_id, "expected_date": None,
            "version": 1 + (status != "new"), "created_at": created, "due_at": due,
            "first_response_at": first_response, "closed_at": closed,
            "updated_at": closed or first_response or created, "publish_consent": True,
        }

    def photos(self, case):
        if self.rng.random() >= 0.4:
            return []
        self.photo_id += 1
        name = f"{self.photo_id:08x}"
        return [{"id": self.photo_id, "feedback_id": case["id"], "upload": "",
                 "image": f"feedback/{name[:2]}/{name}.jpg",
                 "thumbnail": f"feedback/{name[:2]}/{name}-t.jpg", "state": "ready",
                 "width": 2560, "height": 1920, "sort_order": 0,
                 "created_at": case["created_at"]}]

    def publication(self, case, photos):
        """A live public record for one case in five that was not rejected (with a public
        copy of its photo), as moderators leave them: the Open311 API and public lists."""
        if case["status"] == "rejected" or self.rng.random() >= PUBLISHED_SHARE:
            return None, []
        self.publication_id += 1
        published = case["first_response_at"] or case["created_at"]
        lat, lon = case["latitude"], case["longitude"]
        publication = {
            "id": self.publication_id, "latest_revision_id": None, "live": True,
            "has_unpublished_changes": False, "first_published_at": published,
            "last_published_at": published, "live_revision_id": None, "go_live_at": None,
            "expire_at": None, "expired": False, "locked": False, "locked_at": None,
            "locked_by_id": None, "feedback_id": case["id"], "reference": case["reference"],
            "title": case["message"][:60], "text": case["message"],
            "language": case["language"], "category_id": case["category_id"],
            "kind": case["kind"], "latitude": None if lat is None else round(lat, 3),
            "longitude": None if lon is None else round(lon, 3),
            "received_at": case["created_at"], "shown_status": case["status"],
            "status_changed_at": case["updated_at"],
            "public_answer": "Kiitos, asia on korjattu." if case["closed_at"] else "",
            "photo_ids": json.dumps([photo["id"] for photo in photos]),
            "affected_count": 1, "created_at": case["created_at"],
        }
        copies = [{"id": photo["id"], "publication_id": self.publication_id,
                   "source_id": photo["id"], "token": self._token()[:32],
                   "image": f"public/{photo['image'].rsplit('/', 1)[1]}",
                   "thumbnail": f"public/{photo['thumbnail'].rsplit('/', 1)[1]}",
                   "sort_order": 0} for photo in photos]
        return publication, copies

    def log_entries(self, case):
        """Received, and a status change or a note for most handled cases (about 2 a case)."""
        entries = [self._log(case, "palaute_plugin.received", case["created_at"], None, {})]
        if case["first_response_at"]:
            entries.append(self._log(case, "palaute_plugin.status_changed",
                                     case["first_response_at"], case["assignee_id"],
                                     {"status": case["status"]}))
        elif self.rng.random() < 0.5:
            entries.append(self._log(case, "palaute_plugin.note", case["created_at"],
                                     case["assignee_id"], {"text": "Tarkistetaan."}))
        return entries

    def _log(self, case, action, timestamp, user_id, data):
        self.log_id += 1
        return {"id": self.log_id, "content_type_id": self.content_type_id,
                "label": case["reference"], "action": action, "data": json.dumps(data),
                "timestamp": timestamp, "uuid": uuid.UUID(int=self.rng.getrandbits(128)),
                "user_id": user_id, "revision_id": None, "content_changed": False,
                "deleted": False, "object_id": str(case["id"])}

    def notifications(self, case):
        """The receipt to residents who left an address (about 0.7 a case)."""
        if not case["contact_email"]:
            return []
        self.notification_id += 1
        return [{"id": self.notification_id, "feedback_id": case["id"], "template": "received",
                 "to_resident": True, "recipient": case["contact_email"],
                 "language": case["language"], "subject": f"Palaute {case['reference']}",
                 "body_text": "Kiitos palautteestasi.", "body_html": "", "state": "sent",
                 "attempts": 1, "next_attempt_at": case["created_at"], "last_error": "",
                 "created_at": case["created_at"], "sent_at": case["created_at"]}]


def fill(count):
    """Generate ``count`` cases with COPY into the (migrated, staffed) default database."""
    import psycopg
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import ModelLogEntry

    from palaute_plugin.conf import palaute_setting
    from palaute_plugin.models import Feedback, FeedbackPhoto, Notification, ReferenceSequence
    from palaute_plugin.publication.models import FeedbackPublication
    from palaute_plugin.publication.photos import PublicPhoto

    page, categories = create_staff()
    now = timezone.now().replace(microsecond=0)
    generator = Generator(now, page.pk, categories,
                          ContentType.objects.get_for_model(Feedback).pk,
                          palaute_setting("REFERENCE_PREFIX"))
    # Reference numbers run per year from the oldest case; count cases per year first.
    years = {}
    for number in range(count):
        year = (now - CASE_INTERVAL * number).year
        years[year] = years.get(year, 0) + 1
    remaining = dict(years)

    tables = [(Feedback, "cases"), (FeedbackPhoto, "photos"), (ModelLogEntry, "log_entries"),
              (Notification, "notifications"), (FeedbackPublication, "publications"),
              (PublicPhoto, "public_photos")]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    connections = [psycopg.connect(**params) for _ in tables]
    copies, stack = {}, []
    try:
        for conn, (model, key) in zip(connections, tables, strict=True):
            columns = [field.column for field in model._meta.concrete_fields]
            cursor = conn.cursor()
            copy = cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN")
            stack.append(copy)
            copies[key] = (copy.__enter__(), columns, column_defaults(model))
        for number in range(count):
            case = generator.case(number)
            year = case.pop("year")
            case["reference"] = f"{generator.prefix}{year}-{remaining[year]:05d}"
            remaining[year] -= 1
            _write(copies["cases"], case)
            photos = generator.photos(case)
            for photo in photos:
                _write(copies["photos"], photo)
            publication, public_photos = generator.publication(case, photos)
            if publication:
                _write(copies["publications"], publication)
            for copy in public_photos:
                _write(copies["public_photos"], copy)
            for entry in generator.log_entries(case):
                _write(copies["log_entries"], entry)
            for notification in generator.notifications(case):
                _write(copies["notifications"], notification)
        for copy in stack:
            copy.__exit__(None, None, None)
        for conn in connections:  # cases first: the others' foreign keys are checked at commit
            conn.commit()
    finally:
        for conn in connections:
            conn.close()
    for year, number in years.items():
        ReferenceSequence.objects.update_or_create(year=year, defaults={"last_number": number})
    with connection.cursor() as cursor:
        for model in (Feedback, FeedbackPhoto, ModelLogEntry, Notification,
                      FeedbackPublication, PublicPhoto):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"COALESCE(MAX(id), 1)) FROM {table}")
    # The statistics' daily aggregate, as the django-q2 schedule keeps it in production.
    from palaute_plugin.stats import aggregates

    aggregates.refresh()
    connection.close()
    # Production tables are vacuumed and analysed by autovacuum; do it now, so that
    # index-only scans and the planner's statistics are as they would be.
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return generator


def column_defaults(model):
    """The model's own defaults, for columns the generator does not write (fields added
    after it was written); a column with neither a value nor a default fails the write."""
    from psycopg.types.json import Jsonb

    def value(field):
        default = field.get_default()
        return Jsonb(default) if isinstance(default, dict | list) else default

    return {field.column: value(field) for field in model._meta.concrete_fields
            if field.has_default() or field.null}


def _write(copy_columns_defaults, row):
    copy, columns, defaults = copy_columns_defaults
    copy.write_row([row[column] if column in row else defaults[column] for column in columns])


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    count = int(argv[0])
    call_command("migrate", verbosity=0, interactive=False)
    fill(count)
    print(f"generated {count} cases", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)

