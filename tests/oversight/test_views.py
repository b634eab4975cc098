"""The dashboard: analysts and supervisors read it; it names nobody; other roles are refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import person_create
from tests.oversight.test_stages import BLACK_OUTCOMES, WHITE_OUTCOMES, allegations
from vigil.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_the_analyst_sees_figures_and_no_names(client: Client, make_user: Callable[..., User]) -> None:
    white = person_create(surname="Whitlock", forenames="Gareth", ethnicity="White", sex="M")
    black = person_create(surname="Okonkwo", forenames="Ada", ethnicity="Black", sex="F")
    allegations(white, WHITE_OUTCOMES, "domestic_violence")
    allegations(black, BLACK_OUTCOMES, "sexual_harassment")
    client.force_login(make_user(Role.ANALYST))
    assert client.get(reverse("home")).url == reverse("oversight:dashboard")  # type: ignore[attr-defined]
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "From allegation to dismissal" in page and "Risk-score fairness" in page
    assert "8 of 10" in page  # the sexual-misconduct check: 8 of 10 decided reached a case to answer
    for name in ("Whitlock", "Gareth", "Okonkwo", "Ada", white.staff_id, black.staff_id):
        assert name not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ANALYST, 200),
        (Role.SUPERVISOR, 200),
        (Role.REVIEWER, 403),
        (Role.CALL_HANDLER, 403),
        (Role.AUDITOR, 403),
    ],
)
def test_who_reads_the_dashboard(
    client: Client, make_user: Callable[..., User], role: Role, status: int
) -> None:
    client.force_login(make_user(role))
    assert client.get(reverse("oversight:dashboard")).status_code == status


def test_the_dashboard_of_an_empty_force(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user(Role.SUPERVISOR))
    response = client.get(reverse("oversight:dashboard"))
    # No allegations: every rate is undefined ("—"), never 0% or a division error.
    assert response.status_code == 200 and "0 of 0" in response.content.decode()
