"""The web board's costs on the large tracker (200 developers, 5,000 models, 500 deadlines):

    python -m bench.board                 # figures for docs/board.md
    python -m bench.board --quick         # a few samples (a smoke run)
    python -m bench.board --screenshot docs/board.png   # the docs' picture (seed facts, desktop)

The board's WSGI app is served by waitress on 127.0.0.1 (as in the app) with a signed-in
session (private mode, the default). For `/board` and one developer's page it measures the
time to first byte (request sent to response headers read) with a fresh app whose page
cache is empty ("first render", as after the tracker changed), again with the page kept
("kept"), and with a matching If-None-Match ("304"); median and p99 with the sample count,
and each page's weight. Goals (issue 30): the board under 200 ms, a 304 under 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot.catalog import make_deps
from bot.clock import FixedClock
from bot.deps import Deps
from bot.settings import Settings
from handlers.http.routes import HttpApp
from storage.db import open_store
from storage.seed import seed
from tests.support.board import ask_for_link, board_app, served
from tests.support.large_tracker import make_large_tracker

NOW = datetime(2026, 7, 24, 14, 0, tzinfo=UTC)
PAGES = {"board": "/board", "developer page": "/board/developers/dev-001"}


class SwappableApp:
    """The served WSGI app, replaceable between requests (a fresh one has no kept pages)."""

    def __init__(self, app: HttpApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.app(environ, start_response)


def first_byte_ms(
    client: httpx.Client, path: str, headers: dict[str, str] | None = None
) -> tuple[float, int, int]:
    """(milliseconds to the response headers, status, body bytes)."""
    started = time.perf_counter()
    with client.stream("GET", path, headers=headers) as answer:
        elapsed = (time.perf_counter() - started) * 1000
        body = answer.read()
    return elapsed, answer.status_code, len(body)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 2), "p99_ms": round(p99, 2), "n": len(ordered)}


def measure(deps: Deps, cold: int, warm: int) -> dict[str, dict[str, Any]]:
    served_app = SwappableApp(board_app(deps))
    results: dict[str, dict[str, Any]] = {}
    with served(served_app) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.post(ask_for_link(deps)).status_code == 303
        for name, path in PAGES.items():
            first: list[float] = []
            for _ in range(cold):
                served_app.app = board_app(deps)
                ms, status, size = first_byte_ms(client, path)
                assert status == 200
                first.append(ms)
            kept = [first_byte_ms(client, path)[0] for _ in range(warm)]
            answer = client.get(path)
            etag = answer.headers["ETag"]
            not_modified = []
            for _ in range(warm):
                ms, status, _ = first_byte_ms(client, path, {"If-None-Match": etag})
                assert status == 304
                not_modified.append(ms)
            results[name] = {
                "path": path,
                "weight_kib": round(len(answer.content) / 1024, 1),
                "first_render": summary(first),
                "kept": summary(kept),
                "not_modified": summary(not_modified),
            }
        css = client.get("/board/static/board.css").content
        results["stylesheets"] = {"weight_kib": round(len(css) / 1024, 1)}
    return results


def large_deps(folder: Path) -> Deps:
    store = open_store(folder / "large.db")
    make_large_tracker(store.db)
    return make_deps(Settings(db_path=str(folder / "large.db")), store, FixedClock(NOW))


def screenshot(path: Path, folder: Path) -> None:
    """The board of the shipped facts at 1280 x 800 (the whole page), for docs/board.png."""
    from playwright.sync_api import sync_playwright

    store = open_store(folder / "seed.db")
    seed(store.db, at=NOW)
    deps = make_deps(Settings(db_path=str(folder / "seed.db")), store, FixedClock(NOW))
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
    with served(board_app(deps, "public")) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "/board")
        page.screenshot(path=str(path), full_page=True)
        browser.close()
    store.close()


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| page | weight | first render (median / p99) | kept (median / p99) | 304 (median / p99) |"]
    lines.append("|---|---|---|---|---|")
    for name in PAGES:
        r = results[name]
        cells = [
            f"{r[k]['median_ms']} / {r[k]['p99_ms']} ms (n={r[k]['n']})"
            for k in ("first_render", "kept", "not_modified")
        ]
        lines.append(f"| `{r['path']}` ({name}) | {r['weight_kib']} KiB | " + " | ".join(cells) + " |")
    lines.append(
        f"\nStylesheet: {results['stylesheets']['weight_kib']} KiB (kept by the browser for an hour)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few samples only")
    parser.add_argument("--screenshot", type=Path, help="write the docs' screenshot of /board here and stop")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if options.screenshot:
            screenshot(options.screenshot, Path(folder))
            print(f"wrote {options.screenshot}")
            return
        deps = large_deps(Path(folder))
        cold, warm = (3, 10) if options.quick else (30, 300)
        print(report(measure(deps, cold, warm)))
        deps.store.close()


if __name__ == "__main__":
    main()
