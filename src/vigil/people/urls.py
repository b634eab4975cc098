from django.urls import path

from vigil.accounts.views_allocation import person_allocation
from vigil.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_search, name="person_search"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/access/", person_allocation, name="person_allocation"),
    path("<int:person_id>/disclose/", views.person_disclose, name="person_disclose"),
]
