"""Every URL pattern the project serves, read from the resolver, and a URL for each object."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_NAMED = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_UNNAMED = re.compile(r"\((?!\?)[^)]*\)")


@dataclass(frozen=True)
class Route:
    route: str  # the whole pattern, as written, prefixes included
    name: str  # "namespace:name" (or the route itself when the pattern has no name)

    @property
    def params(self) -> list[str]:
        named = [m["name"] for m in _NAMED.finditer(self.route)]
        return named + [m["name"] for m in _CONVERTER.finditer(_NAMED.sub("", self.route))]

    def url(self, values: dict[str, object]) -> str:
        """The path with each parameter filled from `values` (positional groups in order)."""
        path = self.route.replace("^", "").replace("$", "")

        def value(key: str) -> str:
            v = values[key]
            return v.strftime("%Y-%m") if isinstance(v, date) else str(v)

        path = _NAMED.sub(lambda m: value(m["name"]), path)  # before `<name>` inside `(?P<name>`
        path = _CONVERTER.sub(lambda m: value(m["name"]), path)
        positional = iter(values.get("_positional", ()))  # type: ignore[call-overload]
        path = _UNNAMED.sub(lambda m: str(next(positional)), path)
        return "/" + path


def routes() -> list[Route]:
    def walk(patterns, prefix: str, ns: str) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if ns:
                    name = f"{ns}:{p.name or ''}"  # the admin's unnamed ones: "admin:"
                else:
                    name = p.name or route
                yield Route(route=route, name=name)

    return list(walk(get_resolver().url_patterns, "", ""))


def _admin_model(route: str) -> re.Match[str] | None:
    prefix = re.escape(settings.CRM_ADMIN_URL.strip("/") + "/")
    return re.match(rf"^{prefix}(?P<app>\w+)/(?P<model>\w+)/", route)


def admin_values(route: Route, world_objects: dict[str, dict[str, object]]) -> dict[str, object]:
    """Parameters for an admin URL: the first object of the model it is about (a citizen of
    the world for the citizen pages), its first past version, and the app's label."""
    values: dict[str, object] = {"app_label": "council_crm", "url": "nowhere/"}
    found = _admin_model(route.route)
    model = None
    if found:
        try:
            model = apps.get_model(found["app"], found["model"])
        except LookupError:
            model = None
    pk: object = 0
    history: object = 0
    if model is not None:
        obj = model._default_manager.order_by("pk").first()
        if model._meta.model_name == "citizen":
            obj = model._default_manager.get(pk=world_objects["citizen:private"]["pk"])
        if obj is not None:
            pk = obj.pk
            past = getattr(obj, "history", None)
            first = past.order_by("pk").first() if past is not None else None
            history = first.pk if first is not None else 0
    values.update(object_id=pk, id=pk, content_type_id=0, _positional=(pk, history))
    return values
