from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PalautePluginConfig(AppConfig):
    name = "palaute_plugin"
    label = "palaute_plugin"
    verbose_name = _("Feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import checks  # noqa: F401  (registers the system checks)
        from .answers import receivers as answer_receivers
        from .public.caching import categories_changed
        from .publication import receivers as publication_receivers
        from .stats import receivers as stats_receivers
        from .tasks import ensure_schedules

        translate_workflow_comment_label()
        publication_receivers.connect()
        answer_receivers.connect()
        stats_receivers.connect()
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="palaute-schedules")

        for model_name in ("FeedbackCategory", "OtherAuthority"):
            model = self.get_model(model_name)
            post_save.connect(categories_changed, sender=model,
                              dispatch_uid=f"palaute-form-cache-{model_name}-save")
            post_delete.connect(categories_changed, sender=model,
                                dispatch_uid=f"palaute-form-cache-{model_name}-delete")


def translate_workflow_comment_label():
    """Wagtail's approve/request-changes dialogs label their comment box with a ``gettext``
    run at import (``wagtail.forms.TaskStateCommentForm``): in the language active then,
    Finnish here, for every staff member. A lazy label follows each one's language (our
    own, with a context: Wagtail's Swedish "Comment" is the verb, "Kommentera")."""
    from django.utils.translation import pgettext_lazy
    from wagtail.forms import TaskStateCommentForm

    TaskStateCommentForm.base_fields["comment"].label = pgettext_lazy(
        "the comment box of an approval or a request for changes", "Comment")
