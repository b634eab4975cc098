from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "vigil.intake"
    label = "intake"
    verbose_name = "Hotline intake and triage"

    def ready(self) -> None:
        from vigil.intake.signals import connect

        connect()
