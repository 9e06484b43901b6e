"""Notification rendering: pick the admin-edited template for a language and fill it in."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError

from apps.council_crm.config_cache import cached
from apps.council_crm.models import NotificationTemplate

logger = logging.getLogger(__name__)

# Email bodies and texts are plain text: HTML-escaping would turn "O'Brien" into "O&#x27;Brien".
# A separate engine so that admin-edited templates never see the project's loaders or tags.
_PLAIN_TEXT = Engine(autoescape=False, libraries={"i18n": "django.templatetags.i18n"})

SUBJECT_MAX_LENGTH = 200


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    language: str
    template: NotificationTemplate


def language_chain(language: str) -> list[str]:
    """The languages to try, best first: the one asked for, its base, the site's first, English."""
    candidates = [language, language.split("-")[0], settings.CRM_SITE.languages[0], "en"]
    chain: list[str] = []
    for code in candidates:
        code = code.strip().lower()
        if code and code not in chain:
            chain.append(code)
    return chain


def template_candidates(*, event: str, channel: str, language: str) -> list[NotificationTemplate]:
    """Active templates for (event, channel) in fallback order."""
    chain = language_chain(language)
    found = _active_templates().get((event, channel), {})
    return [found[code] for code in chain if code in found]


def _active_templates() -> dict[tuple[str, str], dict[str, NotificationTemplate]]:
    """Every active template by (event, channel) and language, cached like other configuration."""

    def load() -> dict[tuple[str, str], dict[str, NotificationTemplate]]:
        table: dict[tuple[str, str], dict[str, NotificationTemplate]] = {}
        for t in NotificationTemplate.objects.filter(active=True):
            table.setdefault((t.event, t.channel), {})[t.language.lower()] = t
        return table

    return cached("notification_templates", load)


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """Templates compiled once per text: an edited template is new text, so a new entry."""
    return _PLAIN_TEXT.from_string(source)


def template_render(
    template: NotificationTemplate, context: Mapping[str, object]
) -> RenderedMessage:
    """Fill in one template. Raises TemplateSyntaxError if an administrator broke it."""
    ctx = Context(dict(context), autoescape=False)
    subject = _compiled(template.subject).render(ctx) if template.subject else ""
    # One line, because it becomes an email header.
    subject = " ".join(subject.split())[:SUBJECT_MAX_LENGTH]
    body = _compiled(template.body).render(ctx).strip()
    return RenderedMessage(
        subject=subject, body=body, language=template.language, template=template
    )


def message_render(
    *, event: str, channel: str, language: str, context: Mapping[str, object]
) -> RenderedMessage | None:
    """The rendered message, or None (with a warning) when no usable template exists.

    Context gets `council` (the site configuration) unless the caller passes its own.
    """
    full_context: dict[str, object] = {"council": settings.CRM_SITE, **context}
    for template in template_candidates(event=event, channel=channel, language=language):
        try:
            return template_render(template, full_context)
        except TemplateSyntaxError:
            # A broken template must not roll back the resident's report: try the next one.
            logger.exception(
                "Notification template %s (id %s) does not render", template, template.pk
            )
    logger.warning(
        "No notification template for event=%s channel=%s language=%s: nothing sent",
        event,
        channel,
        language,
    )
    return None
