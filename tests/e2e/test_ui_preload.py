"""The page's first modules are hinted: build.py lists every module main.js imports statically as a modulepreload link,
so the browser fetches them at once instead of one import level at a time (ui_visible_ms in the benchmark)."""

from __future__ import annotations

import re

from conftest import DIST


def hinted_modules() -> set[str]:
    return set(re.findall(r'<link rel="modulepreload" href="(js/[^"]+)">', (DIST / "index.html").read_text()))


def test_every_module_loaded_before_the_layout_shows_is_hinted(page, site_url, problems):
    hinted = hinted_modules()
    assert "js/app/main.js" in hinted and all((DIST / m).is_file() for m in hinted)
    page.goto(site_url)
    page.wait_for_function("performance.getEntriesByName('bp-ui-visible').length === 1")
    loaded = page.evaluate("""() => {
        const visible = performance.getEntriesByName('bp-ui-visible')[0].startTime;
        return performance.getEntriesByType('resource')
            .filter((e) => e.startTime < visible && /\\/js\\/.+\\.js$/.test(new URL(e.name).pathname))
            .map((e) => new URL(e.name).pathname.slice(1));
    }""")
    # theme-init.js and embed-init.js are classic scripts that build.py writes into the page: not modules, not fetched
    modules = {m for m in loaded if m not in ("js/ui/theme-init.js", "js/embed/embed-init.js")}
    assert len(modules) >= 20, loaded  # the layout's modules really were loaded and seen
    assert modules <= hinted, f"loaded before the layout showed but not hinted: {sorted(modules - hinted)}"
