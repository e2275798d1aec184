"""The API's own tables: service attributes, API keys and what each key submitted."""

import hashlib
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Feedback, FeedbackCategory, TranslatedField

#: Characters of a new key: 43 URL-safe characters (256 bits).
KEY_BYTES = 32
KEY_PREFIX_CHARS = 8


#: ``count/period`` as django-ratelimit reads it: ``60/h``, ``500/d``, ``10/5m``.
RATE = re.compile(r"^[1-9]\d{0,6}/(?:[1-9]\d{0,3})?[smhd]$")


def validate_rate(value):
    if not RATE.match(value or ""):
        raise ValidationError(_("Write the limit as count/period, e.g. 60/h."),
                              code="invalid_rate")


class ServiceAttribute(models.Model):
    """An extra question of a category for API clients, e.g. "Is this dangerous?"."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        TEXT = "text", _("long text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        SINGLE = "singlevaluelist", _("one of a list")
        MULTI = "multivaluelist", _("any of a list")

    category = models.ForeignKey(
        FeedbackCategory, verbose_name=_("category"), on_delete=models.CASCADE,
        related_name="open311_attributes")
    code = models.SlugField(_("code"), max_length=60,
                            help_text=_("Stable identifier for the API, e.g. 'dangerous'."))
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices,
                                default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    description_fi = models.CharField(_("question in Finnish"), max_length=255)
    description_sv = models.CharField(_("question in Swedish"), max_length=255, blank=True)
    description_en = models.CharField(_("question in English"), max_length=255, blank=True)
    values = models.TextField(
        _("choices"), blank=True,
        help_text=_("For lists: one choice per line as key=name, e.g. 'yes=Yes'."))
    sort_order = models.IntegerField(_("order"), default=0)

    description = TranslatedField("description")

    class Meta:
        verbose_name = _("API service attribute")
        verbose_name_plural = _("API service attributes")
        ordering = ["category", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "code"],
                                               name="palaute_o311_attribute_code")]

    def __str__(self):
        return f"{self.category}: {self.code}"

    def clean(self):
        lists = (self.Datatype.SINGLE, self.Datatype.MULTI)
        if self.datatype in lists and not self.value_pairs():
            raise ValidationError({"values": _("A list needs at least one choice.")})

    def value_pairs(self):
        """``[(key, name), ...]`` of a list attribute."""
        pairs = []
        for line in self.values.splitlines():
            key, _sep, name = line.partition("=")
            if key.strip():
                pairs.append((key.strip(), name.strip() or key.strip()))
        return pairs


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


def hash_key(key):
    """Keys are random and long: one SHA-256 is enough, and it can be looked up."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A client allowed to submit through the API. Only the key's hash is stored."""

    name = models.CharField(_("name"), max_length=150,
                            help_text=_("Who uses the key, e.g. 'Tornio city app'."))
    channel_label = models.CharField(
        _("channel label"), max_length=100, blank=True,
        help_text=_("Shown to staff with each case it submits, e.g. 'mobile app'."))
    rate_limit = models.CharField(
        _("rate limit"), max_length=20, default="60/h", validators=[validate_rate],
        help_text=_("Accepted submissions per period, e.g. 60/h or 500/d."))
    pre_moderation = models.BooleanField(
        _("pre-moderation"), default=False,
        help_text=_("Answer a token instead of the request id until staff take the case."))
    prefix = models.CharField(_("key begins with"), max_length=KEY_PREFIX_CHARS,
                              editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def issue(self):
        """Give the key a new secret and return it: the only time it can be seen."""
        key = secrets.token_urlsafe(KEY_BYTES)
        self.prefix = key[:KEY_PREFIX_CHARS]
        self.key_hash = hash_key(key)
        return key

    @classmethod
    def for_key(cls, key):
        """The usable key whose secret is ``key``, or ``None``."""
        if not key or len(key) > 200:
            return None
        return cls.objects.usable().filter(key_hash=hash_key(key)).first()


def new_token():
    return secrets.token_urlsafe(24)


class ApiSubmission(models.Model):
    """How a case came in through the API: the key, its answers and the links it gave."""

    feedback = models.OneToOneField(Feedback, verbose_name=_("feedback"),
                                    on_delete=models.CASCADE, related_name="open311")
    api_key = models.ForeignKey(ApiKey, verbose_name=_("API key"), null=True,
                                on_delete=models.SET_NULL, related_name="submissions")
    key_name = models.CharField(_("API key name"), max_length=150)
    token = models.CharField(_("token"), max_length=40, unique=True, default=new_token)
    payload_hash = models.CharField(_("payload hash"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    media_url = models.URLField(_("media link"), max_length=1000, blank=True,
                                help_text=_("Given by the client; never fetched."))
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")

    def __str__(self):
        return f"{self.feedback_id} ({self.key_name})"
