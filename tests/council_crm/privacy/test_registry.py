"""The registry of personal data is complete: every model is declared, one way or the other."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from apps.council_crm.models import Citizen, ServiceRequest
from apps.council_crm.personal_data import (
    NOT_PERSONAL,
    PERSONAL_DATA,
    Scrub,
    personal_data_reasons,
    unclassified_models,
)
from apps.council_crm.services.privacy import SCRUB, cases_retention_run
from apps.council_crm.services.privacy.scrub import SCRUBBERS
from apps.council_crm.tasks import PERIODIC_JOBS

REGISTERED = {h.model for h in PERSONAL_DATA}


def every_model() -> list[type[models.Model]]:
    """All apps, simple-history's historical models, auth, and the many-to-many tables."""
    return list(apps.get_models(include_auto_created=True))


def test_every_model_that_looks_personal_is_registered_or_allowed_with_a_reason():
    looks_personal = {
        m._meta.label: reasons for m in every_model() if (reasons := personal_data_reasons(m))
    }
    # the heuristic sees what it should, so this test can fail
    assert "council_crm.HistoricalConsent" in looks_personal
    assert "council_crm.OutboxMessage" in looks_personal
    undecided = {
        label: reasons
        for label, reasons in unclassified_models(every_model()).items()
        if label in looks_personal
    }
    assert undecided == {}, (
        "These models look like they hold personal data. Add each to PERSONAL_DATA "
        "(how it links to a citizen) or to NOT_PERSONAL (why not) in "
        "apps/council_crm/personal_data.py"
    )


def test_every_model_at_all_is_declared_one_way_or_the_other():
    assert unclassified_models(every_model()) == {}
    assert not REGISTERED & set(NOT_PERSONAL)
    labels = {m._meta.label for m in every_model()}
    assert REGISTERED - labels == set(), "registered models that no longer exist"
    assert set(NOT_PERSONAL) - labels == set(), "allowed models that no longer exist"
    assert all(reason.strip() for reason in NOT_PERSONAL.values())


@isolate_apps("apps.council_crm")
def test_a_new_model_linked_to_a_citizen_is_reported_until_someone_decides():
    class Petition(models.Model):
        signer = models.ForeignKey(Citizen, on_delete=models.CASCADE)
        comment = models.TextField()

        class Meta:
            app_label = "council_crm"

        def __str__(self) -> str:
            return self.comment

    class Lookup(models.Model):
        code = models.CharField(max_length=10)

        class Meta:
            app_label = "council_crm"

        def __str__(self) -> str:
            return self.code

    assert unclassified_models([Petition, Lookup]) == {
        "council_crm.Petition": ["signer links to council_crm.Citizen", "field comment"],
        "council_crm.Lookup": [],
    }


def test_the_registry_agrees_with_the_heuristic_and_with_adr_0004():
    for label in REGISTERED:
        assert personal_data_reasons(apps.get_model(label)), label
    # every simple-history table of a registered model is registered too
    for label in REGISTERED:
        model = apps.get_model(label)
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model") and history.model is not model:
            assert history.model._meta.label in REGISTERED, label
    for name in ("Citizen", "ServiceRequest", "Interaction", "Consent", "SatisfactionSurvey"):
        assert f"council_crm.Historical{name}" in REGISTERED
    assert "council_crm.HistoricalUser" in REGISTERED


def test_erasure_and_retention_have_a_rule_for_every_registered_model():
    assert set(SCRUB) == REGISTERED
    assert set(SCRUBBERS) == set(Scrub), "every scrub rule the registry can name has a function"
    for h in PERSONAL_DATA:
        model = h.model_class
        tied_to_a_case = any(
            f.is_relation and f.concrete and f.related_model is ServiceRequest
            for f in model._meta.get_fields()
        )
        if tied_to_a_case or model is ServiceRequest or h.history_of.endswith("ServiceRequest"):
            assert h.case_links, f"{h.model} belongs to cases: retention must reach it"


def test_retention_is_a_periodic_job():
    assert cases_retention_run in PERIODIC_JOBS
