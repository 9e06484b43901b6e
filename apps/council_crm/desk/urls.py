"""Staff desk URLs."""

from django.urls import path

from . import access_log, case, privacy, queues, team

app_name = "desk"

urlpatterns = [
    path("", queues.case_list, name="cases"),
    path("cases/<str:reference>/", case.case_detail, name="case"),
    path("cases/<str:reference>/notes/", case.case_note, name="case-note"),
    path("cases/<str:reference>/export.csv", case.case_export, name="case-export"),
    path("team/", team.team_overview_page, name="team"),
    path("access-log/", access_log.access_log, name="access-log"),
    path("citizens/<int:pk>/", privacy.citizen_detail, name="citizen"),
    path("citizens/<int:pk>/export/", privacy.citizen_export_view, name="citizen-export"),
    path("citizens/<int:pk>/erase/", privacy.citizen_erase, name="citizen-erase"),
]
