"""Personal-data rights: subject access export, erasure by anonymisation, and retention.

All three work from the registry in `apps.council_crm.personal_data` (PERSONAL_DATA): the
export (export.py) writes every registered model's rows linked to the citizen; erasure
(erasure.py) applies `SCRUB[model]` (scrub.py, the rule each model is declared with) to those
rows; retention (retention.py) applies it to the rows of one closed case whose period has
passed. Cases themselves are kept for statistics (category, status, dates, division, location
to about 100 metres, or none for sensitive categories, as in the councillors' anonymised view).
"""

from apps.council_crm.services.privacy.erasure import citizen_anonymise
from apps.council_crm.services.privacy.export import citizen_export
from apps.council_crm.services.privacy.retention import (
    RETENTION_BATCH,
    case_retention_anonymise,
    cases_retention_run,
)
from apps.council_crm.services.privacy.scrub import REMOVED, SCRUB

__all__ = [
    "REMOVED",
    "RETENTION_BATCH",
    "SCRUB",
    "case_retention_anonymise",
    "cases_retention_run",
    "citizen_anonymise",
    "citizen_export",
]
