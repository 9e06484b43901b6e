"""Who may use the motions desk: `permissions.can_manage_motions`. Others get a 404."""

from __future__ import annotations

from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_manage_motions

__all__ = ["AuthenticatedRequest", "staff_required"]

# The motions desk's views keep their short name for the one area decorator.
staff_required = area_required(can_manage_motions)
