from django.urls import path

from .views import convert_view

urlpatterns = [
    path("palaute/lomakkeet/<int:page_id>/muunna/", convert_view, name="palaute_legacy_convert"),
]
