from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vigil.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Role groups live in auth, so follow auth's post_migrate to create them.
        from django.apps import apps
        from django.conf import settings
        from django.db.models.signals import post_migrate

        from vigil.accounts import signals
        from vigil.accounts.services import role_groups_sync_on_migrate

        post_migrate.connect(role_groups_sync_on_migrate, sender=apps.get_app_config("auth"))
        # Sign-ins, sign-outs, failures and lock-outs into the audit trail.
        signals.connect()
        if settings.VIGIL_OIDC_ENABLED:
            from vigil.accounts.oidc import oidc_role_map_parse

            oidc_role_map_parse(settings.VIGIL_OIDC_ROLE_MAP)  # a bad role map stops start-up
