"""How long the public forms' proof of work takes in Chromium, at the configured difficulty.

    .venv/bin/python bench/pow_solve_bench.py [--rounds 20] [--json]

1. Makes challenges exactly as the site does (``core.antiabuse.challenge_create``, test settings,
   the registry's ``SANSPEUR_POW_COST`` and ``SANSPEUR_POW_COUNTER_MAX`` unless set in the
   environment) and serves them, with the ALTCHA widget and its PBKDF2 worker from
   ``node_modules``, on 127.0.0.1 (a secure context, as HTTPS is in production).
2. In Chromium, calls the widget's ``verify()`` ``--rounds`` times with 1, 2 and 4 workers and
   sends each payload back to be checked by ``core.antiabuse.proof_verify`` (all must pass).
3. Derives the time of one try (solve time ÷ answer, one worker) and estimates a mid-range
   phone at 2× and 3× that per try. The estimate is not a measurement: Chromium's CPU
   throttling does not slow WebCrypto (it runs PBKDF2 natively, off the page's thread), and
   more workers barely help (Chromium serialises WebCrypto work), so a phone's time is its
   native SHA-256 speed per try, which on ARMv8 cores with SHA instructions is within 2–3× of
   a desktop core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
ALTCHA = ROOT / "node_modules" / "altcha" / "dist"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pow bench</title>
<link rel="stylesheet" href="/altcha/external/altcha.css"></head><body>
<form><altcha-widget challenge="/challenge" auto="off" name="altcha"
 configuration='{"humanInteractionSignature": false, "minDuration": 0, "hideFooter": true}'></altcha-widget></form>
<script type="module" src="/altcha/external/altcha.min.js"></script>
<script type="module">
  $altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker("/altcha/workers/pbkdf2.js"));
  window.benchReady = true;
</script></body></html>"""

VERIFY = """async (workers) => {
  const widget = document.querySelector("altcha-widget");
  widget.configure({workers});
  const t0 = performance.now();
  const result = await widget.verify();
  return {ms: performance.now() - t0, payload: result && result.payload, counter: result && result.solution.counter};
}"""


def serve(make_challenge):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/":
                body, kind = PAGE.encode(), "text/html"
            elif self.path == "/challenge":
                body, kind = json.dumps(make_challenge()).encode(), "application/json"
            elif self.path.startswith("/altcha/") and ".." not in self.path:
                file = ALTCHA / self.path[len("/altcha/") :]
                if not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                kind = "text/css" if file.suffix == ".css" else "text/javascript"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanspeur.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from sanspeur.core import antiabuse

    server = serve(lambda: antiabuse.challenge_create(scope="bench"))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    chromium = os.environ.get("SANSPEUR_CHROMIUM", "/usr/bin/chromium")
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": " ".join(["bench/pow_solve_bench.py", *sys.argv[1:]]),
        "algorithm": antiabuse.ALGORITHM,
        "cost": settings.SANSPEUR_POW_COST,
        "counter_max": settings.SANSPEUR_POW_COUNTER_MAX,
        "solve": {},
    }
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("() => window.benchReady === true && !!customElements.get('altcha-widget')")
            report["chromium"] = browser.version
            for workers in (1, 2, 4):
                times, counters = [], []
                for _ in range(args.rounds):
                    result = page.evaluate(VERIFY, workers)
                    assert result["payload"], result
                    antiabuse.proof_verify(result["payload"], scope="bench")  # raises if refused
                    times.append(result["ms"] / 1000)
                    counters.append(result["counter"])
                report["solve"][workers] = {
                    "median_s": round(statistics.median(times), 3),
                    "mean_s": round(statistics.mean(times), 3),
                    "max_s": round(max(times), 3),
                    "mean_counter": round(statistics.mean(counters)),
                }
            one = report["solve"][1]
            per_try_ms = one["mean_s"] * 1000 / one["mean_counter"]
            mean_answer = (settings.SANSPEUR_POW_COUNTER_MAX // 3 + settings.SANSPEUR_POW_COUNTER_MAX) / 2
            report["per_try_ms"] = round(per_try_ms, 3)
            report["expected_s"] = round(mean_answer * per_try_ms / 1000, 2)
            report["mid_range_phone_estimate_s"] = {
                "2x": round(2 * mean_answer * per_try_ms / 1000, 2),
                "3x": round(3 * mean_answer * per_try_ms / 1000, 2),
            }
            browser.close()
    finally:
        server.shutdown()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['date']} — {report['machine']} — Chromium {report['chromium']} — {report['command']}")
    print(
        f"{report['algorithm']}, {report['cost']} iterations per try, answer drawn in "
        f"[{report['counter_max'] // 3}, {report['counter_max']}]"
    )
    for workers, row in report["solve"].items():
        print(
            f"  {workers} worker(s): median {row['median_s']} s, mean {row['mean_s']} s, max {row['max_s']} s "
            f"(mean answer {row['mean_counter']})"
        )
    estimate = report["mid_range_phone_estimate_s"]
    print(
        f"one try: {report['per_try_ms']} ms here; expected solve at the mean answer {report['expected_s']} s; "
        f"a mid-range phone at 2-3x per try: {estimate['2x']}-{estimate['3x']} s (estimate)"
    )


if __name__ == "__main__":
    main()
