"""Version 1 of the review cohort: the force's definition (vigil.reviews.selectors.DEFAULT_COHORT)."""

from django.db import migrations
from django.utils import timezone


def create_default(apps, schema_editor):
    from vigil.reviews.selectors import DEFAULT_COHORT

    CohortDefinition = apps.get_model("reviews", "CohortDefinition")
    if not CohortDefinition.objects.exists():
        CohortDefinition.objects.create(
            version=1,
            created_at=timezone.now(),
            change_reason="The default: the force's review of unproven sexual and domestic allegations.",
            **DEFAULT_COHORT,
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
