"""What a channel asks a case to be made from: `CaseRequest`, and the hash idempotency keys use."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from apps.council_crm.contacts import ContactDetails
from apps.council_crm.models import Councillor, ServiceCategory


def payload_hash_of(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class CaseRequest:
    """A request for a case as it arrived, before any check: the fields that travel together
    from a channel through `case_check`, the idempotency hash and `case_create`.

    Who asks (`actor`) and how the request is kept once (idempotency key, reference) are not
    part of it: they are arguments of `case_create`.
    """

    channel: str
    category: ServiceCategory | str  # a category, or its code as a form or the API sent it
    description: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    contact: ContactDetails = field(default_factory=ContactDetails)
    anonymous: bool = False
    on_behalf_of: Councillor | None = None
    raised_as: str = ""

    def payload_hash(self) -> str:
        """What an idempotency key is checked against: this request, every field of it."""
        payload = {f.name: getattr(self, f.name) for f in fields(self)}
        category = self.category
        payload["category"] = category.code if isinstance(category, ServiceCategory) else category
        payload["contact"] = asdict(self.contact)
        payload["on_behalf_of"] = self.on_behalf_of.pk if self.on_behalf_of else None
        return payload_hash_of(payload)
