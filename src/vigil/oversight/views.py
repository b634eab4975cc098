from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigil.oversight import selectors


def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures only: no page of this app names a person (the analyst role sees nothing else)."""
    return render(request, "oversight/dashboard.html", {"figures": selectors.oversight_figures()})
