from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PalautePluginConfig(AppConfig):
    name = "palaute_plugin"
    label = "palaute_plugin"
    verbose_name = _("Feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
