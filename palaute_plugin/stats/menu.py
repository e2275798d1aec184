"""The report's item in Wagtail's Reports menu."""

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
