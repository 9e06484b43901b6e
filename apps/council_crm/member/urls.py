"""Member area URLs (/member/)."""

from django.urls import path

from . import log, mi, views

app_name = "member"

urlpatterns = [
    path("", views.home, name="home"),
    path("acting-for/", views.switch, name="switch"),
    path("log/", log.log_start, name="log"),
    path("log/<slug:code>/", log.log_case, name="log-case"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/follow/", views.case_follow, name="case-follow"),
    path(
        "cases/<str:reference>/information/",
        views.case_add_information,
        name="case-information",
    ),
    path("cases/<str:reference>/export.csv", views.case_export, name="case-export"),
    path("divisions/", views.divisions, name="divisions"),
    path("divisions/<str:code>/", views.division, name="division"),
    path("emails/", views.preferences, name="preferences"),
    path("motions/", views.motions, name="motions"),
    path("mi/", mi.mi, name="mi"),
    path("mi/<slug:slug>.<str:fmt>", mi.mi_export, name="mi-export"),
]
