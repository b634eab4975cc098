from django.urls import path

from vigil.accounts.views_allocation import allegation_allocation
from vigil.allegations import views

app_name = "allegations"
urlpatterns = [
    path("", views.allegation_list, name="allegation_list"),
    path("<int:allegation_id>/", views.allegation_detail, name="allegation_detail"),
    path("<int:allegation_id>/contact/", views.allegation_contact, name="allegation_contact"),
    path("<int:allegation_id>/access/", allegation_allocation, name="allegation_allocation"),
    path("<int:allegation_id>/disclose/", views.allegation_disclose, name="allegation_disclose"),
    path("<int:allegation_id>/conflict/", views.allegation_conflict, name="allegation_conflict"),
]
