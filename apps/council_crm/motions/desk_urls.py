"""Staff desk URLs for the register (/desk/motions/)."""

from django.urls import path

from . import desk_views as views

app_name = "motions_desk"

urlpatterns = [
    path("", views.desk_list, name="list"),
    path("new/", views.desk_new, name="new"),
    path("overdue/", views.desk_overdue, name="overdue"),
    path("import/", views.desk_import, name="import"),
    path("actions/<int:pk>/", views.desk_action_update, name="action_update"),
    path("<path:reference>/edit/", views.desk_edit, name="edit"),
    path("<path:reference>/schedule/", views.desk_schedule, name="schedule"),
    path("<path:reference>/decision/", views.desk_decision, name="decision"),
    path("<path:reference>/replies/", views.desk_reply, name="reply"),
    path("<path:reference>/actions/", views.desk_action_add, name="action_add"),
    path("<path:reference>/", views.desk_manage, name="manage"),
]
