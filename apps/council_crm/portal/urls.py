"""Resident portal URLs."""

from allauth.account import views as allauth_views
from django.urls import path

from . import account, map, report, track, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("report/", report.start, name="report"),
    path("report/map/divisions.geojson", map.divisions, name="report-map-divisions"),
    path("report/<str:journey_id>/done/", report.done, name="report-done"),
    path("report/<str:journey_id>/<slug:step>/", report.step, name="report-step"),
    path("track/", track.find, name="track"),
    path("track/survey/<str:token>/", track.survey, name="survey"),
    path("track/<str:reference>/", track.detail, name="track-detail"),
    path("track/<str:reference>/reopen/", track.reopen, name="track-reopen"),
    path("account/", account.home, name="account"),
    path("account/login/", allauth_views.login, name="login"),
    path("account/logout/", allauth_views.logout, name="logout"),
    path("account/consents/", account.my_consents, name="my-consents"),
    path(
        "account/consents/<int:pk>/withdraw/",
        account.consent_withdraw_view,
        name="consent-withdraw",
    ),
    path("account/preferences/", account.preferences, name="my-preferences"),
    path("account/download/", account.download, name="my-data"),
    path("account/delete/", account.delete, name="account-delete"),
    path("account/deleted/", account.deleted, name="account-deleted"),
    path("account/requests/", account.my_requests, name="my-requests"),
    path("account/requests/<str:reference>/", account.my_request, name="my-request"),
    path("cases/<str:reference>/attachments/<int:pk>/", account.attachment, name="attachment"),
]
