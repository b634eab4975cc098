from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "vigil.oversight"
    label = "oversight"
    verbose_name = "Oversight: progress and disproportionality"
