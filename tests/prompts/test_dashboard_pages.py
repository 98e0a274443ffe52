"""The dashboard's pages exist in French and English, with the same blocks."""

from __future__ import annotations

import re

from bot.i18n import PROMPTS_DIR

BLOCK = re.compile(r"{%-?\s*(?:block|macro)\s+(\w+)")


def test_both_locales_have_the_same_pages_and_blocks() -> None:
    pages = {
        locale: {
            path.name: set(BLOCK.findall(path.read_text(encoding="utf-8")))
            for path in sorted((PROMPTS_DIR / locale / "dashboard").glob("*.j2"))
        }
        for locale in ("en", "fr")
    }
    assert pages["en"] and pages["en"] == pages["fr"]
