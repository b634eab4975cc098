"""Local assets only: the stylesheet is served by the app and nothing is fetched from outside."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

import vigil

PACKAGE = Path(vigil.__file__).resolve().parent
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)


def test_the_stylesheet_is_found_by_staticfiles() -> None:
    assert finders.find("vigil/vigil.css"), (
        "src/vigil/static is not a static files directory: settings.py needs "
        'STATICFILES_DIRS = [BASE_DIR / "static"] (the vigil package is not an installed app)'
    )


def test_templates_and_css_reference_nothing_external() -> None:
    files = [*PACKAGE.glob("templates/**/*.html"), *PACKAGE.glob("static/vigil/**/*.css")]
    assert files
    offenders = [
        f"{path.relative_to(PACKAGE)}: {match.group(0)}"
        for path in files
        for match in EXTERNAL.finditer(path.read_text())
    ]
    assert not offenders, offenders
