from django.urls import path

from vigil.allegations import views

app_name = "allegations"
urlpatterns = [
    path("", views.allegation_list, name="allegation_list"),
    path("<int:allegation_id>/", views.allegation_detail, name="allegation_detail"),
]
