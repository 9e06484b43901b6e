"""Resident portal URLs."""

from django.contrib.auth import views as auth_views
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
    path(
        "account/login/",
        auth_views.LoginView.as_view(template_name="council_crm/account/login.html"),
        name="login",
    ),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/requests/", account.my_requests, name="my-requests"),
    path("account/requests/<str:reference>/", account.my_request, name="my-request"),
    path("cases/<str:reference>/attachments/<int:pk>/", account.attachment, name="attachment"),
]
