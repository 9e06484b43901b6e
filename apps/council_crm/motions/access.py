"""Who may use the motions desk: council staff (and administrators). Others get a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    # Until permissions.py has a policy for the register, staff roles may record motions.
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (getattr(user, "is_staff_member", False) or user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
