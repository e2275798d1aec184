"""The report's item in Wagtail's Reports menu, and its permission in the group editor."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from .views import may_see_statistics


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_statistics(request.user)


def statistics_menu_item():
    return StatisticsMenuItem(_("Feedback statistics"), reverse("palaute_statistics"),
                              name="palaute-statistics", icon_name="table", order=650)


def statistics_permissions():
    """"Can see the feedback statistics of every category" in Wagtail's group editor."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="palaute_plugin",
                                     codename="view_statistics")
