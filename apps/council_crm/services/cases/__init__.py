"""Case lifecycle writes: create, route, assign, move through statuses, update, merge, reopen.

One module per use case; the public names are importable from here:

- `request`: `CaseRequest`, what a channel asks a case to be made from
- `checks`: the checks a request must pass (`case_check`, `case_preview`), writing nothing
- `create`: `case_create`, once per idempotency key
- `assignment`: the team and officer a case goes to (the engine is `council_crm/routing.py`)
- `workflow`: reassign, recategorise, change status, update, reopen, follow
- `bulk`: assign or change the status of many cases from a desk queue
- `merge`: a duplicate into the case it repeats
- `desk`: priority, related-case links, pausing and resuming the clock with a reason
- `concurrency`: a change made from a stale page is refused (`seen`), never an overwrite
- `scheduled`: the periodic jobs (escalation, auto-close)
- `surveys`: satisfaction survey answers
- `config`: the cached configuration these read
"""

from __future__ import annotations

from .bulk import BulkOutcome, cases_bulk_assign, cases_bulk_transition
from .checks import CheckedCase, case_check, case_preview, gazetteer_find
from .concurrency import case_lock
from .create import CaseCreated, IdempotencyConflict, case_create, case_for_key
from .desk import case_change_priority, case_clock, case_link, case_unlink
from .merge import case_merge
from .request import CaseRequest, payload_hash_of
from .scheduled import cases_autoclose, cases_escalate
from .surveys import survey_answer
from .workflow import (
    case_add_update,
    case_assign,
    case_change_category,
    case_follow,
    case_reopen,
    case_transition,
)

__all__ = [
    "BulkOutcome",
    "CaseCreated",
    "CaseRequest",
    "CheckedCase",
    "IdempotencyConflict",
    "case_add_update",
    "case_assign",
    "case_change_category",
    "case_change_priority",
    "case_check",
    "case_clock",
    "case_create",
    "case_follow",
    "case_for_key",
    "case_link",
    "case_lock",
    "case_merge",
    "case_preview",
    "case_reopen",
    "case_transition",
    "case_unlink",
    "cases_autoclose",
    "cases_bulk_assign",
    "cases_bulk_transition",
    "cases_escalate",
    "gazetteer_find",
    "payload_hash_of",
    "survey_answer",
]
