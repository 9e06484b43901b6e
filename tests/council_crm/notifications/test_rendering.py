"""Rendering notification templates: language fallback, plain text, no template."""

from __future__ import annotations

import logging

import pytest

from apps.council_crm.models import NotificationTemplate, OutboxMessage
from apps.council_crm.notifications import message_queue
from apps.council_crm.notifications.rendering import language_chain, message_render


def _queue(case, **overrides):
    arguments = {
        "event": "acknowledgement",
        "channel": "email",
        "recipient": case.citizen.email,
        "context": {"track_url": "https://crm.example/track/"},
        "dedupe_key": f"{case.reference}:acknowledgement:email",
        "case": case,
        "citizen": case.citizen,
    }
    arguments.update(overrides)
    return message_queue(**arguments)


@pytest.mark.django_db
def test_the_message_is_rendered_from_the_template_with_the_council_and_the_case(case, templates):
    message = _queue(case)

    assert message.subject == "We've received your report – reference FCC-26-000042"
    assert message.body == (
        "Thank you for contacting Fernshire County Council.\n\n"
        "Your reference number is FCC-26-000042.\n"
        "Roads North will deal with your report about Pothole."
    )
    assert message.recipient == "siobhan@example.org"
    assert message.status == OutboxMessage.Status.PENDING


@pytest.mark.django_db
def test_plain_text_is_not_html_escaped(case, templates):
    templates["sms"].body = "Hello {{ citizen.last_name }} & {{ note }}"
    templates["sms"].save()

    message = _queue(
        case,
        channel="sms",
        recipient=case.citizen.phone,
        context={"note": "<b>Tom's</b>"},
        dedupe_key="escape",
    )

    assert message.body == "Hello O'Brien & <b>Tom's</b>"


@pytest.mark.django_db
def test_the_residents_language_is_used_when_there_is_a_template_in_it(case, templates):
    NotificationTemplate.objects.create(
        event="acknowledgement",
        channel="email",
        language="cy",
        subject="Rydym wedi cael eich adroddiad {{ case.reference }}",
        body="Diolch. Eich cyfeirnod yw {{ case.reference }}.",
    )

    message = _queue(case, language="cy")

    assert message.subject == "Rydym wedi cael eich adroddiad FCC-26-000042"
    assert message.body == "Diolch. Eich cyfeirnod yw FCC-26-000042."


@pytest.mark.django_db
def test_without_a_template_in_the_language_the_site_language_then_english_is_used(
    case, templates, settings
):
    irish = NotificationTemplate.objects.create(
        event="acknowledgement",
        channel="email",
        language="ga",
        subject="Tuairisc {{ case.reference }}",
        body="Go raibh maith agat. {{ case.reference }}",
    )
    settings.CRM_SITE = _site_with_languages(settings.CRM_SITE, ("ga", "en"))

    in_site_language = _queue(case, language="cy", dedupe_key="a")
    irish.active = False
    irish.save()
    in_english = _queue(case, language="cy", dedupe_key="b")

    assert in_site_language.body == "Go raibh maith agat. FCC-26-000042"
    assert in_english.body.startswith("Thank you for contacting")


@pytest.mark.django_db
def test_english_is_the_last_resort(case, templates):
    message = _queue(case, language="cy-GB")

    assert message.subject.startswith("We've received your report")


def test_language_chain_tries_the_language_its_base_the_site_and_english(settings):
    settings.CRM_SITE = _site_with_languages(settings.CRM_SITE, ("ga", "en"))

    assert language_chain("cy-GB") == ["cy-gb", "cy", "ga", "en"]
    assert language_chain("en") == ["en", "ga"]


@pytest.mark.django_db
def test_no_template_queues_nothing_and_warns(case, templates, caplog):
    with caplog.at_level(logging.WARNING, logger="apps.council_crm.notifications"):
        message = _queue(case, event="delay")

    assert message is None
    assert OutboxMessage.objects.count() == 0
    assert "No notification template for event=delay channel=email" in caplog.text


@pytest.mark.django_db
def test_an_inactive_template_is_not_used(case, templates):
    templates["email"].active = False
    templates["email"].save()

    assert _queue(case) is None


@pytest.mark.django_db
def test_a_broken_template_falls_back_instead_of_breaking_the_callers_transaction(
    case, templates, caplog
):
    NotificationTemplate.objects.create(
        event="acknowledgement", channel="email", language="cy", body="{% if %}broken"
    )

    rendered = message_render(
        event="acknowledgement", channel="email", language="cy", context={"case": case}
    )

    assert rendered.language == "en"
    assert "does not render" in caplog.text


@pytest.mark.django_db
def test_a_blank_recipient_queues_nothing(case, templates):
    assert _queue(case, recipient="  ") is None
    assert OutboxMessage.objects.count() == 0


def _site_with_languages(site, languages):
    from dataclasses import replace

    return replace(site, languages=languages)
