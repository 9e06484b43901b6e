"""Settings for worker processes the tests start: the real settings, on the test's database.

CRM_TEST_WORKER_DB names the database (a SQLite file, or the PostgreSQL test database);
CRM_TEST_WORKER_SETTINGS is a JSON object of further settings (the fake Notify, short leases).
"""

import json
import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["CRM_TEST_WORKER_DB"]
globals().update(json.loads(os.environ.get("CRM_TEST_WORKER_SETTINGS", "{}")))
