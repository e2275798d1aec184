"""Places editors keep for the local geocoder: landmarks, addresses and streets."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from ..models import TranslatedField

LATITUDE_VALIDATORS = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180), MaxValueValidator(180)]


class Place(models.Model):
    """One place residents may type: a landmark or address at a point, or a street.

    A street with a house-number range runs from its start point (the first number)
    to its end point (the last), so "Street 12" can be placed along it.
    """

    class Kind(models.TextChoices):
        STREET = "street", _("street")
        LANDMARK = "landmark", _("landmark")
        ADDRESS = "address", _("address")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.LANDMARK)
    name_fi = models.CharField(_("name in Finnish"), max_length=200,
                               help_text=_("As residents would type it, e.g. Hallituskatu."))
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    aliases = models.TextField(
        _("other names"), blank=True,
        help_text=_("Other names residents use, one per line, e.g. Kaupungintalo."))
    latitude = models.FloatField(_("latitude"), validators=LATITUDE_VALIDATORS,
                                 help_text=_("The place, or where a street's first number is."))
    longitude = models.FloatField(_("longitude"), validators=LONGITUDE_VALIDATORS)
    end_latitude = models.FloatField(_("end latitude"), null=True, blank=True,
                                     validators=LATITUDE_VALIDATORS,
                                     help_text=_("Streets: where the last number is."))
    end_longitude = models.FloatField(_("end longitude"), null=True, blank=True,
                                      validators=LONGITUDE_VALIDATORS)
    number_from = models.PositiveIntegerField(_("first house number"), null=True, blank=True)
    number_to = models.PositiveIntegerField(_("last house number"), null=True, blank=True)
    external_id = models.CharField(
        _("identifier in the city's GIS"), max_length=100, blank=True, db_index=True,
        help_text=_("Imports update the place with the same identifier."))
    search_text = models.TextField(editable=False, default="")

    name = TranslatedField("name")

    panels = [
        FieldPanel("kind"),
        FieldPanel("name_fi"), FieldPanel("name_sv"), FieldPanel("name_en"),
        FieldPanel("aliases"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], _("Point")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("number_from"), FieldPanel("number_to")]),
            FieldRowPanel([FieldPanel("end_latitude"), FieldPanel("end_longitude")]),
        ], _("House numbers along a street")),
        FieldPanel("external_id"),
    ]

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name_fi", "number_from", "pk"]

    def __str__(self):
        if self.has_range:
            return f"{self.name_fi} {self.number_from}–{self.number_to}"
        return self.name_fi

    def save(self, *args, **kwargs):
        self.search_text = " ".join(self.all_names()).casefold()
        super().save(*args, **kwargs)

    @property
    def has_range(self):
        return self.number_from is not None and self.number_to is not None

    def all_names(self):
        names = [self.name_fi, self.name_sv, self.name_en]
        names += [alias.strip() for alias in self.aliases.replace(",", "\n").splitlines()]
        return [name for name in names if name]

    def clean(self):
        errors = {}
        has_end = (self.end_latitude, self.end_longitude) != (None, None)
        numbers = (self.number_from, self.number_to)
        if None in (self.end_latitude, self.end_longitude) and has_end:
            errors["end_longitude"] = _("Give both the end latitude and longitude, or neither.")
        if None in numbers and numbers != (None, None):
            errors["number_to"] = _("Give both the first and the last house number, or "
                                    "neither.")
        elif None not in numbers and self.number_from > self.number_to:
            errors["number_to"] = _("The last house number must not be smaller than the "
                                    "first.")
        if self.kind != self.Kind.STREET and (has_end or numbers != (None, None)):
            errors["kind"] = _("Only a street has house numbers and an end point.")
        elif None not in numbers and not has_end:
            errors["end_latitude"] = _("A street with house numbers needs the end point "
                                       "where its last number is.")
        if errors:
            raise ValidationError(errors)
