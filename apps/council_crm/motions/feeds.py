"""Atom feeds of changes to the register: every change, or one motion's."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from apps.council_crm.links import public_url
from apps.council_crm.models import Motion, MotionEvent
from apps.council_crm.selectors.motions import motion_events_recent, motion_public

_Object = TypeVar("_Object", Motion, None)


class _ChangesFeed(Feed[MotionEvent, _Object]):
    """What both feeds share: each item is a line of a motion's public timeline."""

    feed_type = Atom1Feed

    def item_title(self, item: MotionEvent) -> str:
        return f"{item.motion.reference}: {item.motion.title} – {item.get_kind_display()}"

    def item_description(self, item: MotionEvent) -> str:
        return item.text

    def item_link(self, item: MotionEvent) -> str:
        path = reverse("motions:detail", args=[item.motion.reference])
        return public_url(f"{path}#event-{item.pk}")

    def item_guid(self, item: MotionEvent) -> str:
        return f"{self.item_link(item)}"

    def item_pubdate(self, item: MotionEvent) -> datetime:
        return item.created_at

    def item_updateddate(self, item: MotionEvent) -> datetime:
        return item.created_at


class RegisterChangesFeed(_ChangesFeed[None]):
    def title(self) -> str:
        return _("%(council)s: notices of motion") % {"council": settings.CRM_SITE.name}

    def subtitle(self) -> str:
        return _("Every change to the register of notices of motion, newest first.")

    def link(self) -> str:
        return public_url(reverse("motions:register"))

    def items(self) -> list[MotionEvent]:
        return motion_events_recent(limit=50)


class MotionChangesFeed(_ChangesFeed[Motion]):
    def get_object(self, request: HttpRequest, reference: str) -> Motion:
        motion = motion_public(reference=reference)
        if motion is None:
            raise Http404
        return motion

    def title(self, obj: Motion) -> str:
        return f"{obj.reference}: {obj.title}"

    def subtitle(self, obj: Motion) -> str:
        return _("Changes to notice of motion %(ref)s") % {"ref": obj.reference}

    def link(self, obj: Motion) -> str:
        return public_url(obj.get_absolute_url())

    def items(self, obj: Motion) -> list[MotionEvent]:
        return motion_events_recent(motion=obj, limit=100)
