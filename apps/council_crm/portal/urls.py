"""Resident portal URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import account, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
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
