"""Residents' satisfaction surveys, sent when a case is resolved."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import SatisfactionSurvey


@transaction.atomic
def survey_answer(*, token: str, score: int, comment: str = "") -> SatisfactionSurvey:
    """One answer per resolved case."""
    survey = SatisfactionSurvey.objects.select_for_update(of=("self",)).filter(token=token).first()
    if survey is None:
        raise ValidationError({"token": [_("This survey link is not valid")]})
    if survey.answered_at:
        raise ValidationError({"score": [_("You have already answered this survey. Thank you")]})
    if score not in (1, 2, 3, 4, 5):
        raise ValidationError({"score": [_("Choose how satisfied you are, from 1 to 5")]})
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("Comment must be 2000 characters or fewer")]})
    survey.score, survey.comment, survey.answered_at = score, comment.strip(), timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    return survey
