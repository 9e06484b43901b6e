"""The desk's queues: indexes for "assigned to me" (the team added to the assignee's index),
"recently closed" and "unassigned", and full-text search on PostgreSQL.

The GIN expression indexes exist on PostgreSQL only (SQLite searches with `icontains`); their
expressions must stay the same as `selectors.desk_queues.CASE_SEARCH_SQL` and
`CITIZEN_SEARCH_SQL`, or the planner cannot use them (tests/council_crm/desk/test_queues.py
compares them).
"""

from django.db import migrations, models

CASE_SEARCH = (
    "to_tsvector('simple'::regconfig, {t}.reference || ' ' || {t}.description || ' ' || "
    "{t}.address)"
)
CITIZEN_SEARCH = (
    "to_tsvector('simple'::regconfig, {t}.first_name || ' ' || {t}.last_name || ' ' || "
    "{t}.email || ' ' || {t}.phone || ' ' || {t}.postcode)"
)
INDEXES = [
    ("case_search_fts", "council_crm_servicerequest", CASE_SEARCH),
    ("citizen_search_fts", "council_crm_citizen", CITIZEN_SEARCH),
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (({expression.format(t=table)}))"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("council_crm", "0007_desk"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="servicerequest", name="case_assignee_status"),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                fields=["assignee", "status", "team"], name="case_assignee_status_team"
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["resolved_at", "team"], name="case_resolved_team"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("assignee__isnull", True)),
                fields=["team", "status"],
                name="case_unassigned",
            ),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
