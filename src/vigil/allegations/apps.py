from django.apps import AppConfig


class AllegationsConfig(AppConfig):
    name = "vigil.allegations"
    label = "allegations"
    verbose_name = "Allegations"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from vigil.allegations.services import reference_data_sync_on_migrate

        # Reference tables always match vocabularies.py after a migrate (test databases included).
        post_migrate.connect(reference_data_sync_on_migrate, sender=self)
