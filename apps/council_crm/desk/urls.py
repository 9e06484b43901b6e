"""Staff desk URLs."""

from django.urls import path

from . import privacy, views

app_name = "desk"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/notes/", views.case_note, name="case-note"),
    path("cases/<str:reference>/export.csv", views.case_export, name="case-export"),
    path("access-log/", views.access_log, name="access-log"),
    path("citizens/<int:pk>/", privacy.citizen_detail, name="citizen"),
    path("citizens/<int:pk>/export/", privacy.citizen_export_view, name="citizen-export"),
    path("citizens/<int:pk>/erase/", privacy.citizen_erase, name="citizen-erase"),
]
