"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor


class CouncilCrmConfig(AppConfig):
    name = "apps.council_crm"
    label = "council_crm"
    verbose_name = _("Council CRM")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks

        _cache_history_manager_classes()


def _cache_history_manager_classes() -> None:
    """django-simple-history builds a new manager *class* (`Manager.from_queryset`, which walks
    the queryset's members with `inspect`) on every `instance.history` access, and it reads
    that attribute for every historical row it writes: about a millisecond per saved record.
    The class depends only on the descriptor, so build it once per descriptor (3.13 behaviour
    otherwise unchanged: a fresh manager instance per access)."""
    if getattr(HistoryDescriptor, "_council_crm_cached", False):
        return

    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("_manager_class")
        if manager_class is None:
            manager_class = self.manager_class.from_queryset(self.queryset_class)
            self._manager_class = manager_class
        return manager_class(self.model, instance)

    HistoryDescriptor.__get__ = __get__
    HistoryDescriptor._council_crm_cached = True
