"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilCrmConfig(AppConfig):
    name = "apps.council_crm"
    label = "council_crm"
    verbose_name = _("Council CRM")
    default_auto_field = "django.db.models.BigAutoField"
