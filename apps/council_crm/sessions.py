"""Database sessions, read with one plain statement.

Django's database session engine reads a session through the ORM (a query built and compiled
on every request); a quarter of the CPU of the report's final POST went there. This engine
reads the same row with a fixed statement and otherwise is Django's: same table, encoding,
expiry, key rotation and writes. SESSION_ENGINE names it (config/settings.py).
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

_TABLE = Session._meta.db_table
_READ = (
    f"SELECT session_data FROM {_TABLE} "  # noqa: S608 - Django's table name
    "WHERE session_key = %s AND expire_date > %s"
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        connection = connections[router.db_for_read(Session)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_READ, [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(session_key=key, session_data=row[0])  # load() reads only the data
