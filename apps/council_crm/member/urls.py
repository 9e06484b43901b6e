"""Member area URLs (/member/)."""

from django.urls import path

from . import mi, views

app_name = "member"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/export.csv", views.case_export, name="case-export"),
    path("divisions/<str:code>/", views.division, name="division"),
    path("motions/", views.motions, name="motions"),
    path("mi/", mi.mi, name="mi"),
    path("mi/<slug:slug>.<str:fmt>", mi.mi_export, name="mi-export"),
]
