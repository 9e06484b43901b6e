"""Public register URLs (/motions/)."""

from datetime import date

from django.urls import path, register_converter

from . import feeds, views


class YearMonthConverter:
    """2026-03 <-> date(2026, 3, 1)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        year, month = value.split("-")
        return date(int(year), int(month), 1)  # ValueError (month 13): no match, 404

    def to_url(self, value: date) -> str:
        return f"{value:%Y-%m}"


register_converter(YearMonthConverter, "yearmonth")

app_name = "motions"

urlpatterns = [
    path("", views.register, name="register"),
    path("feed/", feeds.RegisterChangesFeed(), name="feed"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("reports/", views.reports, name="reports"),
    path("reports/<yearmonth:month>/", views.report, name="report"),
    path("reports/<yearmonth:month>.csv", views.report_csv, name="report_csv"),
    # References from an earlier register may contain slashes (NOM/2019/12).
    path("<path:reference>/feed/", feeds.MotionChangesFeed(), name="motion_feed"),
    path("<path:reference>/", views.detail, name="detail"),
]
