from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vigil.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # This app has no models, so it gets no post_migrate of its own: follow auth's (groups live there).
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from vigil.accounts.services import role_groups_sync_on_migrate

        post_migrate.connect(role_groups_sync_on_migrate, sender=apps.get_app_config("auth"))
