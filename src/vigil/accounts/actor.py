"""Who is changing accounts right now, for the model signals that audit every change of a user's
roles, teams, status, assignments and two-factor devices (vigil.accounts.signals).

A signal sees the row, not the person who asked for the change, so whoever starts a change says who
they are: `ActorMiddleware` for every web request (the admin and every page), `vigil access` for the
command line, single sign-on for the provider's roles, and the services for the actor they are given.
A change made with no actor set (a shell, a script) is still audited, as "unattributed"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:  # importable before Django is set up (the `vigil` command sets the actor first)
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest, HttpResponse

UNATTRIBUTED = "unattributed (no actor set)"


@dataclass(frozen=True)
class Actor:
    user: AbstractBaseUser | None  # None: a command, the identity provider, the system
    label: str = ""  # who, when there is no user: "vigil access (os-user)", "single sign-on"
    request: HttpRequest | None = None

    @property
    def user_id(self) -> int | None:
        if self.user is None or not self.user.is_authenticated:
            return None
        pk: int = self.user.pk
        return pk


_current: ContextVar[Actor | None] = ContextVar("vigil_account_actor", default=None)


def current_actor() -> Actor:
    actor = _current.get()
    if actor is None:
        return Actor(user=None, label=UNATTRIBUTED)
    if actor.request is not None and actor.user is None:
        # The request's user is read when the change happens (after sign-in, not before it).
        user = actor.request.user
        return Actor(user=user if user.is_authenticated else None, label=actor.label, request=actor.request)
    return actor


@contextmanager
def acting_as(
    user: AbstractBaseUser | AnonymousUser | None = None,
    *,
    label: str = "",
    request: HttpRequest | None = None,
) -> Iterator[Actor]:
    """Changes to accounts inside this block are made by `user` (or, without one, by `label`)."""
    actor = Actor(
        user=user if user is not None and user.is_authenticated else None, label=label, request=request
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


class SelfGrantRefused(PermissionDenied):
    """Nobody gives themselves a role, a team, an assignment or admin status: someone else must."""


class ActorMiddleware:
    """Every change to accounts made while serving a request is made by the signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(None, label="web request", request=request):
            return self.get_response(request)
