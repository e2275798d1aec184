"""The report's admin URLs, under Wagtail's ``/admin/reports/``."""

from django.urls import path

from .views import StatisticsCasesExportView, StatisticsView

urlpatterns = [
    path("reports/palaute-tilastot/", StatisticsView.as_view(), name="palaute_statistics"),
    path("reports/palaute-tilastot/tapaukset/", StatisticsCasesExportView.as_view(),
         name="palaute_statistics_cases"),
]
