"""The Django admin: reference data and import batches read-only; no case content registered."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from vigil.accounts.roles import Role
from vigil.allegations.models import Allegation, Category, Outcome, Relationship, Source
from vigil.imports.models import ImportBatch
from vigil.people.models import (
    FormerStaffNumber,
    Person,
    PersonName,
    RoleRecord,
    ShoulderNumber,
    VettingClearance,
)

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Iterable[Role]], Any]
READ_ONLY = [
    (Category, "rape"),
    (Source, "hotline"),
    (Relationship, "partner"),
    (Outcome, "open"),
]


@pytest.fixture
def administrator(client_for: ClientFor) -> Client:
    client: Client = client_for([Role.ADMINISTRATOR])
    return client


def admin_url(model: type[Any], action: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize(("model", "code"), READ_ONLY)
def test_reference_data_is_viewable_but_read_only(administrator: Client, model: type[Any], code: str) -> None:
    changelist = administrator.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert code in changelist.content.decode()
    assert administrator.get(admin_url(model, "add")).status_code == 403
    assert administrator.get(admin_url(model, "delete", code)).status_code == 403
    view = administrator.get(admin_url(model, "change", code))
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()  # a view page, not a form
    before = model.objects.get(pk=code).label
    posted = administrator.post(admin_url(model, "change", code), {"label": "Changed", "code": code})
    assert posted.status_code == 403
    assert model.objects.get(pk=code).label == before


def test_import_batches_are_read_only(administrator: Client) -> None:
    batch = ImportBatch.objects.create(
        kind="allegations",
        file_name="allegations-2024-06.csv",
        sha256="0" * 64,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        imported_by="tester (cli)",
    )
    assert (
        "allegations-2024-06.csv" in administrator.get(admin_url(ImportBatch, "changelist")).content.decode()
    )
    assert administrator.get(admin_url(ImportBatch, "add")).status_code == 403
    assert administrator.get(admin_url(ImportBatch, "delete", batch.pk)).status_code == 403


@pytest.mark.parametrize(
    "model",
    [Person, PersonName, ShoulderNumber, RoleRecord, FormerStaffNumber, VettingClearance, Allegation],
)
def test_case_content_is_not_in_the_admin(model: type[Any]) -> None:
    assert not admin.site.is_registered(model)
    with pytest.raises(NoReverseMatch):
        admin_url(model, "changelist")


def test_reviewer_cannot_open_the_admin(client_for: ClientFor) -> None:
    assert client_for([Role.REVIEWER]).get(reverse("admin:index")).status_code == 403
