"""Public register views: thin; reads come from selectors/motions.py."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.council_crm.models import Motion
from apps.council_crm.selectors.motions import (
    councillors_with_motions,
    motion_public,
    motion_report,
    motion_reports,
    motions_page,
    motions_search,
    motions_similar,
    topic_by_slug,
    topic_overview,
    topics_with_counts,
)

from .forms import MotionSearchForm

PAGE_SIZE = 20


def search_page(request: HttpRequest, form: MotionSearchForm) -> tuple[Page[Motion], str]:
    """The page of results for a search form, and the query string to page through them."""
    filters = form.filters() if form.is_bound and not form.errors else {}
    page = motions_page(motions_search(**filters), request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form = MotionSearchForm(request.GET or None, councillors=councillors_with_motions())
    page, query = search_page(request, form)
    return render(
        request, "council_crm/motions/register.html", {"form": form, "page": page, "query": query}
    )


@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    motion = motion_public(reference=reference)
    if motion is None:
        raise Http404
    similar = motions_similar(title=motion.title, text=motion.text, exclude=motion)
    return render(
        request, "council_crm/motions/detail.html", {"motion": motion, "similar": similar}
    )


@require_GET
def topics(request: HttpRequest) -> HttpResponse:
    return render(request, "council_crm/motions/topics.html", {"topics": topics_with_counts()})


@require_GET
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    found = topic_by_slug(slug=slug)
    if found is None:
        raise Http404
    return render(
        request, "council_crm/motions/topic.html", {"overview": topic_overview(topic=found)}
    )


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "council_crm/motions/reports.html", {"reports": motion_reports()})


@require_GET
def report(request: HttpRequest, month: date) -> HttpResponse:
    found = motion_report(month=month)
    if found is None:
        raise Http404
    return render(request, "council_crm/motions/report.html", {"report": found})


@require_GET
def report_csv(request: HttpRequest, month: date) -> HttpResponse:
    found = motion_report(month=month)
    if found is None:
        raise Http404
    response = HttpResponse(found.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="motions-{month:%Y-%m}.csv"'
    return response
