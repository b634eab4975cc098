from django.urls import path

from vigil.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_search, name="person_search"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
]
