"""The publications' own log entries, so that Wagtail's site history shows each
publication's steps only to those who may see it.

Wagtail's generic ``ModelLogEntry`` shows a model's entries to anyone holding any
permission on the model: every handler (who may edit publications) would see the
titles and steps of every category's publications. ``register()`` makes Wagtail
log publications here instead (the ``register_log_actions`` hook calls it).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager


class PublicationLogEntryManager(BaseLogEntryManager):
    def viewable_by_user(self, user):
        """Moderators see every publication's steps; anyone else those of the publications
        they may see (``publication.views.publications_for_user``). Not Wagtail's rule
        (any permission on the model), which would show every category's."""
        from .views import is_moderator, publications_for_user

        if user.is_superuser or is_moderator(user):
            return self.all()
        visible = publications_for_user(user).annotate(
            object_id=Cast("pk", models.CharField())).values("object_id")
        return self.filter(object_id__in=visible)

    def log_action(self, instance, action, **kwargs):
        kwargs.update(object_id=str(instance.pk))
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk))


class PublicationLogEntry(BaseLogEntry):
    """One step of a publication (edit, workflow, publish), as Wagtail logs it."""

    object_id = models.CharField(_("publication"), max_length=255, db_index=True)

    objects = PublicationLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("publication log entry")
        verbose_name_plural = _("publication log entries")

    def __str__(self):
        return f"PublicationLogEntry {self.pk}: {self.action} on {self.object_id}"


def register(actions):
    from .models import FeedbackPublication

    actions.register_model(FeedbackPublication, PublicationLogEntry)
