"""Every route is in the permission matrix, and every role gets exactly what the matrix says."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from vigil.accounts import permissions
from vigil.accounts.permissions import ANY_USER, API_CLIENT, PUBLIC, is_allowed, rule_for
from vigil.accounts.roles import Role

pytestmark = pytest.mark.django_db

# Sample arguments for converters, so every route can be requested (a missing object is a 404,
# which the permission check comes before).
SAMPLE = {
    "int": 1,
    "str": "x",
    "string": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            yield from walk(entry, inner or "")
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def vigil_routes() -> list[tuple[str, str]]:
    """(route name, sample URL) for every route outside the Django admin."""
    routes = []
    for name, pattern in walk(get_resolver()):
        if name.startswith("admin:"):
            continue
        converters = getattr(pattern.pattern, "converters", {})
        kwargs = {
            key: SAMPLE[type(converter).__name__.replace("Converter", "").lower()]
            for key, converter in converters.items()
        }
        routes.append((name, reverse(name, kwargs=kwargs)))
    return routes


def test_every_route_has_a_rule() -> None:
    missing = [name for name, _ in walk(get_resolver()) if rule_for(name) is None]
    assert missing == []


def test_a_route_missing_from_the_matrix_is_refused(
    monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., object], client: Client
) -> None:
    monkeypatch.delitem(permissions.ROUTE_RULES, "allegations:allegation_list")
    assert rule_for("allegations:allegation_list") is None
    client.force_login(make_user(*Role))  # type: ignore[arg-type]
    assert client.get(reverse("allegations:allegation_list")).status_code == 403


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anonymous")
def test_each_role_gets_what_the_matrix_says_on_every_route(
    role: Role | None, make_user: Callable[..., object], client: Client
) -> None:
    if role is not None:
        client.force_login(make_user(role))  # type: ignore[arg-type]
    held = frozenset({role}) if role else frozenset()
    for name, url in vigil_routes():
        rule = rule_for(name)
        assert rule is not None
        response = client.get(url)
        allowed = is_allowed(rule, held, authenticated=role is not None)
        if rule == API_CLIENT:
            # Only another system's bearer token opens these (tests/intake/test_api.py); a session
            # never does. A GET on a POST-only route is refused as a method first; the API's root
            # is a 404 to everyone.
            assert response.status_code in (401, 404, 405), (
                f"{name} answered {role} with {response.status_code}"
            )
        elif allowed:
            assert response.status_code not in (401, 403), f"{name} refused {role}"
            if rule not in (PUBLIC, ANY_USER) and response.status_code == 302:
                assert "/login/" not in response["Location"], f"{name} sent {role} to login"
        elif role is None and name.startswith(("api:", "intake_api:")):
            assert response.status_code == 401, f"{name} answered anonymous with {response.status_code}"
        elif role is None:
            assert response.status_code == 302 and response["Location"].startswith("/login/"), name
        else:
            assert response.status_code == 403, f"{name} let {role} in ({response.status_code})"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_only_administrators_reach_the_django_admin(
    role: Role, make_user: Callable[..., object], client: Client
) -> None:
    client.force_login(make_user(role))  # type: ignore[arg-type]
    for url in ("/admin/", "/admin/auth/user/", "/admin/allegations/category/"):
        status = client.get(url).status_code
        assert (status == 200) == (role is Role.ADMINISTRATOR), (url, role, status)


def test_the_security_doc_shows_the_matrix() -> None:
    from pathlib import Path

    from vigil.accounts.permissions import matrix_markdown

    doc = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    shown = doc.split("<!-- matrix:start -->\n", 1)[1].split("<!-- matrix:end -->", 1)[0]
    assert shown == matrix_markdown(), "regenerate the table in docs/security.md from matrix_markdown()"
