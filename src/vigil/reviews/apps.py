from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "vigil.reviews"
    label = "reviews"
    verbose_name = "Reviews, risk measures and tasks"
