"""Notices of Motion writes, one module per use case.

- `lifecycle`: record, correct, schedule, decide, reply;
- `actions`: follow-up actions and the reminders to their owners;
- `upsert`: a motion brought in from an earlier register (import, demo register);
- `reports`: the monthly report.

Every change writes a line on the motion's public timeline (MotionEvent) in the same
transaction. The names below are importable from here (tasks.PERIODIC_JOBS names two of them
by this path).
"""

from ._common import OUTCOMES, search_refresh
from .actions import DUE_SOON_DAYS, motion_action_add, motion_action_update, motion_actions_remind
from .lifecycle import (
    motion_edit,
    motion_record,
    motion_record_decision,
    motion_reply_add,
    motion_schedule,
)
from .reports import (
    REPORT_CSV_COLUMNS,
    motions_monthly_report_generate,
    motions_monthly_reports_run,
)
from .upsert import (
    ActionRecord,
    MeetingRecord,
    MotionRecord,
    ReplyRecord,
    UpsertResult,
    motion_upsert,
    motions_import,
)

__all__ = [
    "DUE_SOON_DAYS",
    "OUTCOMES",
    "REPORT_CSV_COLUMNS",
    "ActionRecord",
    "MeetingRecord",
    "MotionRecord",
    "ReplyRecord",
    "UpsertResult",
    "motion_action_add",
    "motion_action_update",
    "motion_actions_remind",
    "motion_edit",
    "motion_record",
    "motion_record_decision",
    "motion_reply_add",
    "motion_schedule",
    "motion_upsert",
    "motions_import",
    "motions_monthly_report_generate",
    "motions_monthly_reports_run",
    "search_refresh",
]
