"""The JSON API, version 1 (namespace "api"). Its routes are in the permission matrix like any page."""

from django.urls import path

from vigil.allegations.apis import allegation_read
from vigil.people.apis import person_read

app_name = "api"
urlpatterns = [
    path("people/<int:person_id>/", person_read, name="person_read"),
    path("allegations/<int:allegation_id>/", allegation_read, name="allegation_read"),
]
