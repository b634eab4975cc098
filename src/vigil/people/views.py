# Placeholder: the web UI is being written.
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("todo")


person_search = person_detail = allegation_list = allegation_detail = _todo
