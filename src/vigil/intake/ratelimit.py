"""Per-user rate limits for pages that cost real work per request (the call handler's subject
candidates). Fixed windows counted in the database (UserRateWindow) with one atomic upsert per
window, as the intake API's per-client limit does: every gunicorn worker and thread shares the
count, and nothing else needs to be deployed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from vigil.intake.models import UserRateWindow


@dataclass(frozen=True)
class Limit:
    requests: int
    seconds: int


# The form's script asks after each pause of 400 ms in typing, so a handler typing sends at most
# ~2.5 a second and rarely more than one: 5 a second lets a burst of edits through; 120 a minute
# is a minute of continuous typing with a pause at every word. 16 requests at once (what took
# every other user's sign-in from 6 ms to 10 s) are cut to 5 in any one second.
SUGGESTIONS_LIMITS = (Limit(requests=5, seconds=1), Limit(requests=120, seconds=60))


def rate_limit_take_user(
    user: AbstractBaseUser, scope: str, limits: tuple[Limit, ...], *, now: dt.datetime | None = None
) -> int | None:
    """Count one request by `user` against each limit of `scope`: None if allowed, else the
    seconds until a window that refused it ends (Retry-After). A refused request still counts,
    so a client that keeps asking stays refused."""
    moment = (now or timezone.now()).timestamp()
    table = UserRateWindow._meta.db_table
    retry_after: int | None = None
    with connection.cursor() as cursor:
        for limit in limits:
            window = int(moment // limit.seconds)
            cursor.execute(
                f"INSERT INTO {table} (user_id, scope, window_index, requests) VALUES (%s, %s, %s, 1) "  # noqa: S608
                "ON CONFLICT (user_id, scope, window_index) DO UPDATE SET requests = "
                f"{table}.requests + 1 RETURNING requests",
                [user.pk, f"{scope}/{limit.seconds}s", window],
            )
            (count,) = cursor.fetchall()[0]
            if count == 1:
                # A new window: the user's earlier windows of this limit are spent.
                cursor.execute(
                    f"DELETE FROM {table} WHERE user_id = %s AND scope = %s AND window_index < %s",  # noqa: S608
                    [user.pk, f"{scope}/{limit.seconds}s", window],
                )
            if count > limit.requests:
                wait = max(1, int((window + 1) * limit.seconds - moment + 0.999))
                retry_after = max(retry_after or 0, wait)
    return retry_after
