"""Sign-in sessions by user (ending them after a security change) and its audit action."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("council_crm", "0010_member_rollups"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("account_linked", "account linked to a citizen record"),
                    ("citizen_email_changed", "citizen's email address changed"),
                    ("citizen_preferences_changed", "citizen's preferences changed"),
                    ("citizen_anonymised", "citizen's personal data erased"),
                    ("case_retention_anonymised", "case anonymised at retention"),
                    ("subject_access_export", "subject access export"),
                    ("consent_granted", "consent granted"),
                    ("consent_withdrawn", "consent withdrawn"),
                    ("web_report_retried", "web report sent again"),
                    ("case_status_changed", "case status changed"),
                    ("case_reassigned", "case reassigned"),
                    ("case_priority_changed", "case priority changed"),
                    ("case_category_changed", "case category changed"),
                    ("case_updated", "public update or internal note added"),
                    ("case_merged", "case merged into another"),
                    ("case_linked", "cases linked"),
                    ("case_reopened", "case reopened"),
                    ("case_file_attached", "file attached to a case"),
                    ("contact_logged", "contact logged"),
                    ("saved_view_changed", "saved view changed"),
                    ("sessions_ended", "other sessions ended after a security change"),
                ],
                max_length=64,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="SignInSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "session_key",
                    models.CharField(max_length=40, unique=True, verbose_name="session key"),
                ),
                (
                    "signed_in_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="signed in"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sign_in_sessions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "sign-in session",
                "verbose_name_plural": "sign-in sessions",
                "indexes": [
                    models.Index(fields=["user", "signed_in_at"], name="signinsession_user")
                ],
            },
        ),
    ]
