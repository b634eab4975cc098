"""Keyset paging shared by the long lists: the page position travels in the query string as
`before=TOKEN` (older) or `after=TOKEN` (newer); each list defines its own cursor token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from django.http import HttpRequest

CursorT = TypeVar("CursorT")
Direction = Literal["before", "after"]
DIRECTIONS: tuple[Direction, ...] = ("before", "after")


def cursor_in_query(
    request: HttpRequest, parse: Callable[[Direction, str], CursorT]
) -> tuple[CursorT | None, bool]:
    """The cursor in the query string, and whether one was given but could not be read (`parse`
    raises ValueError for a token it cannot read)."""
    for direction in DIRECTIONS:
        token = request.GET.get(direction)
        if token:
            try:
                return parse(direction, token), False
            except ValueError:
                return None, True
    return None, False
