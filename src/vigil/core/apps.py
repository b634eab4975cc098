from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"
    verbose_name = "Vigil core"

    def ready(self) -> None:
        from django import forms

        from vigil.core.text import refuse_control_characters

        # Every text field of every form (the pages, the admin) refuses control and bidi characters,
        # as the imports and the intake API do: a form added later cannot forget it. Fields with
        # their own format (email, URL, slug) check it themselves and keep their validators.
        forms.CharField.default_validators = [refuse_control_characters]
