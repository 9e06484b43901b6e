"""Staff desk URLs."""

from django.urls import path

from . import access_log, case, privacy, queues

app_name = "desk"

urlpatterns = [
    path("", queues.case_list, name="cases"),
    path("export.csv", queues.cases_export, name="cases-export"),
    path("views/", queues.saved_view_create, name="saved-view-create"),
    path("views/<int:pk>/delete/", queues.saved_view_remove, name="saved-view-delete"),
    path("bulk/assign/", queues.bulk_assign, name="bulk-assign"),
    path("bulk/status/", queues.bulk_status, name="bulk-status"),
    path("bulk/done/", queues.bulk_done, name="bulk-done"),
    path("cases/<str:reference>/", case.case_detail, name="case"),
    path("cases/<str:reference>/notes/", case.case_note, name="case-note"),
    path("cases/<str:reference>/export.csv", case.case_export, name="case-export"),
    path("access-log/", access_log.access_log, name="access-log"),
    path("citizens/<int:pk>/", privacy.citizen_detail, name="citizen"),
    path("citizens/<int:pk>/export/", privacy.citizen_export_view, name="citizen-export"),
    path("citizens/<int:pk>/erase/", privacy.citizen_erase, name="citizen-erase"),
]
