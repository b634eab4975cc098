"""Helpers for browser tests (the fixtures are in tests/web/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, headless, with everything that would phone home switched off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FAILING_IMPACTS = frozenset({"serious", "critical"})

_axe = Axe()  # reads the bundled axe-core once


def axe_violations(page: Page, *, context: Any = None) -> list[dict[str, Any]]:
    """All axe-core violations on the page as it is now (optionally within a CSS selector)."""
    results = _axe.run(page, context=context)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def assert_accessible(page: Page, *, context: Any = None) -> None:
    """Fail listing every axe-core violation of impact serious or critical on the current page."""
    failing = [v for v in axe_violations(page, context=context) if v.get("impact") in FAILING_IMPACTS]
    if not failing:
        return
    lines = [f"{len(failing)} serious/critical accessibility violation(s) on {page.url}:"]
    for violation in failing:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')!s}")
            lines.append(f"       {node.get('html', '')[:200]}")
    raise AssertionError("\n".join(lines))
