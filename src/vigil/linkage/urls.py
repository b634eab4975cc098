from django.urls import path

from vigil.linkage import views

app_name = "linkage"
urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:allegation_id>/", views.review_item, name="review_item"),
    path(
        "review/<int:allegation_id>/candidates/<int:person_id>/",
        views.review_candidate,
        name="review_candidate",
    ),
    path("review/<int:allegation_id>/another/", views.review_another, name="review_another"),
    path(
        "review/<int:allegation_id>/not-on-register/",
        views.review_not_on_register,
        name="review_not_on_register",
    ),
]
