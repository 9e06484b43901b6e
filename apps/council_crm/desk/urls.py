"""Staff desk URLs."""

from django.urls import path

from . import access_log, case, citizens, contact, privacy, queues, search, team

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
    path("cases/<str:reference>/status/", case.case_status, name="case-status"),
    path("cases/<str:reference>/clock/", case.case_clock_view, name="case-clock"),
    path("cases/<str:reference>/assign/", case.case_assign_view, name="case-assign"),
    path("cases/<str:reference>/priority/", case.case_priority, name="case-priority"),
    path("cases/<str:reference>/links/", case.case_link_view, name="case-link"),
    path("cases/<str:reference>/attachments/", case.case_attach, name="case-attach"),
    path("cases/<str:reference>/reopen/", case.case_reopen_view, name="case-reopen"),
    path("cases/<str:reference>/merge/", case.case_merge_view, name="case-merge"),
    path("cases/<str:reference>/export.csv", case.case_export, name="case-export"),
    path("contact/", contact.contact_start, name="contact"),
    path("contact/new/", contact.contact_new_citizen, name="contact-new"),
    path("contact/<str:journey_id>/done/", contact.contact_done, name="contact-done"),
    path("contact/<str:journey_id>/<slug:step>/", contact.contact_step, name="contact-step"),
    path("search/", search.search, name="search"),
    path("team/", team.team_overview_page, name="team"),
    path("access-log/", access_log.access_log, name="access-log"),
    path("citizens/<int:pk>/", citizens.citizen_detail, name="citizen"),
    path("citizens/<int:pk>/export/", privacy.citizen_export_view, name="citizen-export"),
    path("citizens/<int:pk>/erase/", privacy.citizen_erase, name="citizen-erase"),
]
