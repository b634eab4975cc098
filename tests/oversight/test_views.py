"""The dashboard: analysts and supervisors read it; it names nobody; other roles are refused."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories import person_create
from tests.oversight.conftest import BLACK_OUTCOMES, WHITE_OUTCOMES, allegations
from vigil.accounts.roles import Role
from vigil.audit.models import AuditEntry
from vigil.oversight.exports import EXPORT_COLUMNS

pytestmark = pytest.mark.django_db


def test_the_analyst_sees_figures_and_no_names(client: Client, make_user: Callable[..., User]) -> None:
    white = person_create(surname="Whitlock", forenames="Gareth", ethnicity="White", sex="M")
    black = person_create(surname="Okonkwo", forenames="Ada", ethnicity="Black", sex="F")
    allegations(white, WHITE_OUTCOMES * 10, "domestic_violence")
    allegations(black, BLACK_OUTCOMES * 10, "sexual_harassment")
    client.force_login(make_user(Role.ANALYST))
    assert client.get(reverse("home")).url == reverse("oversight:dashboard")  # type: ignore[attr-defined]
    page = client.get(reverse("oversight:dashboard")).content.decode()
    assert "From allegation to dismissal" in page and "Risk-score fairness" in page
    assert "80 of 100" in page  # the sexual-misconduct check: 80 of 100 decided reached a case to answer
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


def test_the_board_pack_downloads_after_a_reason_and_a_recipient(
    client: Client, make_user: Callable[..., User], world: None
) -> None:
    client.force_login(make_user(Role.ANALYST))
    form = client.get(reverse("oversight:export"))
    assert form.status_code == 200 and "Who receives the report?" in form.content.decode()
    refused = client.post(reverse("oversight:export"), {"fmt": "csv", "reason": "oversight", "text": "board"})
    assert refused.status_code == 200 and "Say who receives the report." in refused.content.decode()
    assert not AuditEntry.objects.filter(action="oversight.exported").exists()
    response = client.post(
        reverse("oversight:export"),
        {
            "fmt": "csv",
            "reason": "oversight",
            "text": "Weekly pack for the PSD board",
            "recipient": "PSD board",
        },
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    entry = AuditEntry.objects.get(action="oversight.exported")
    assert response["Content-Disposition"].endswith(f'-export-{entry.pk}.csv"')
    assert "no-store" in response["Cache-Control"]
    assert (entry.recipient, entry.justification_reason) == ("PSD board", "oversight")
    assert response.content.decode().startswith(",".join(EXPORT_COLUMNS))


def test_the_charts_are_svg_with_the_table_numbers(
    client: Client, make_user: Callable[..., User], world: None
) -> None:
    client.force_login(make_user(Role.SUPERVISOR))
    page = client.get(reverse("oversight:dashboard")).content.decode()
    names = re.findall(r'src="/oversight/charts/([\w-]+)\.svg"', page)
    assert "hotline-per-day" in names and "stages-ethnicity" in names and "bands-sex" in names
    for name in names:
        response = client.get(reverse("oversight:chart", args=[name]))
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml", name
        assert response.content.startswith(b"<svg")
    forest = client.get(reverse("oversight:chart", args=["stages-ethnicity"])).content.decode()
    assert "relative rate" in forest and "Black" in forest
    assert client.get(reverse("oversight:chart", args=["stages-height"])).status_code == 404
    assert client.get(reverse("oversight:chart", args=["nonsense"])).status_code == 404


def test_who_downloads_the_board_pack(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user(Role.REVIEWER))
    assert client.get(reverse("oversight:export")).status_code == 403
    assert client.get(reverse("oversight:chart", args=["hotline-per-day"])).status_code == 403
