"""Desk tests reuse the small visibility world: one case in FE01 and someone in every relation."""

from tests.council_crm.visibility.conftest import World, world

__all__ = ["World", "world"]
