"""In-browser verification time per card vs a bare WebCrypto ES256 verify, same page.

    .venv/bin/python bench/verify_browser_bench.py [--rounds 5] [--iterations 300] [--json]

Loads src/sanspeur/verify/static/verify/mtl1.js in Debian's Chromium (headless, through
Playwright) on an origin answered entirely by ``page.route`` from the files on disk (no server,
no network), then times, in the same page, alternating rounds of:

* ``verify()``: the full pipeline the verifier app runs for a scan (Base45, zlib inflate with
  DecompressionStream, strict CBOR / COSE_Sign1 parsing, trust-list lookup, ES256 with
  WebCrypto, claims, status-list lookup), on the ``valid`` vector, trust list and status list
  loaded once (as the app does at start-up);
* ``crypto.subtle.verify()`` alone on the very same Sig_structure bytes and signature.

Goal: full verification <= 2x the bare WebCrypto verify. Each operation is awaited before
the next one (a service point checks one card at a time). Reports the median of the
per-round means and the ratio of the best rounds (the machine is shared: best-of is
the least noisy figure).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import platform
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "sanspeur" / "verify" / "static"
VECTORS = REPO / "tests" / "credential" / "vectors"
ORIGIN = (
    "http://localhost:9"  # localhost is a secure context (WebCrypto); page.route answers, port 9 is never contacted
)
CHROMIUM = Path(os.environ.get("SANSPEUR_CHROMIUM", "/usr/bin/chromium"))

BENCH_JS = """
async ({rootPem, trustJws, statusB64, code, now, rounds, iterations}) => {
  const m = await import('/static/verify/mtl1.js');
  const roots = await m.loadRoots(rootPem);
  const trust = await m.loadTrustList(trustJws, roots, now);
  const status = await m.parseStatusList(m.base64Decode(statusB64));
  const opts = {maxStatusAge: 604800, leeway: 300};
  const first = await m.verify(code, trust, [status], now, opts);
  if (!first.valid) throw new Error('vector did not verify: ' + first.reason);

  // The same bytes WebCrypto gets inside verify(): Sig_structure and r||s signature.
  const text = code.slice(5);
  const inflated = new Uint8Array(await new Response(
      new Blob([m.b45decode(text)]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
  const msg = m.parseSign1(inflated);
  const key = trust.keys.get(m.hex(msg.kid)).cryptoKey;
  const enc = new TextEncoder();
  const head = (major, n) => n < 24 ? [(major << 5) | n]
    : n < 256 ? [(major << 5) | 24, n] : [(major << 5) | 25, n >> 8, n & 255];
  const sig1 = enc.encode('Signature1');
  const parts = [[0x84], head(3, sig1.length), sig1, head(2, msg.protectedBytes.length), msg.protectedBytes, [0x40],
                 head(2, msg.payload.length), msg.payload];
  const tbs = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0; for (const p of parts) { tbs.set(p, o); o += p.length; }
  const algo = {name: 'ECDSA', hash: 'SHA-256'};
  if (!(await crypto.subtle.verify(algo, key, msg.signature, tbs))) throw new Error('bare verify failed');

  const full = [], bare = [];
  for (let w = 0; w < 50; w++) {
    await m.verify(code, trust, [status], now, opts);
    await crypto.subtle.verify(algo, key, msg.signature, tbs);
  }
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    for (let i = 0; i < iterations; i++) await crypto.subtle.verify(algo, key, msg.signature, tbs);
    bare.push((performance.now() - t) * 1000 / iterations);
    t = performance.now();
    for (let i = 0; i < iterations; i++) await m.verify(code, trust, [status], now, opts);
    full.push((performance.now() - t) * 1000 / iterations);
  }
  // Where the time goes (one pass each, same iterations).
  const stage = async (fn) => {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) await fn();
    return (performance.now() - t) * 1000 / iterations;
  };
  const b45 = await stage(() => m.b45decode(text));
  const compressed = m.b45decode(text);
  const z = await import('/static/verify/inflate.js');
  const inflate = await stage(() => z.zlibInflate(compressed, 8192));
  const decompressionStream = await stage(() => new Response(
      new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
  const cose = await stage(() => m.parseSign1(inflated));
  const payload = await stage(() => m.cborDecode(msg.payload, {maxDepth: 8}));
  return {full, bare, stages: {base45: b45, inflate_js: inflate,
                   decompression_stream_for_comparison: decompressionStream,
                   cose_parse: cose, payload_cbor: payload},
          code_chars: code.length, signed_bytes: msg.payload.length, userAgent: navigator.userAgent};
}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    vectors = json.loads((VECTORS / "vectors.json").read_text())
    valid = next(case for case in vectors["cases"] if case["name"] == "valid")
    from datetime import datetime

    now = datetime.fromisoformat(valid["now"].replace("Z", "+00:00")).timestamp()

    def serve(route):
        path = route.request.url[len(ORIGIN) :].split("?")[0]
        if path == "/":
            route.fulfill(body="<!doctype html><title>bench</title>", content_type="text/html")
            return
        if path.startswith("/static/verify/"):
            file = STATIC / path[len("/static/") :]
            if file.is_file():
                ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if file.suffix == ".js":
                    ctype = "text/javascript"
                route.fulfill(body=file.read_bytes(), content_type=ctype)
                return
        route.fulfill(status=404, body="")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(ORIGIN + "/")
        import base64

        result = page.evaluate(
            BENCH_JS,
            {
                "rootPem": (VECTORS / "trust_root.pem").read_text(),
                "trustJws": (VECTORS / "trust_list.jws").read_text(),
                "statusB64": base64.b64encode((VECTORS / "status_list.cwt").read_bytes()).decode(),
                "code": valid["code"],
                "now": now,
                "rounds": args.rounds,
                "iterations": args.iterations,
            },
        )
        browser.close()

    full = statistics.median(result["full"])
    bare = statistics.median(result["bare"])
    summary = {
        "full_us": round(full, 1),
        "bare_webcrypto_us": round(bare, 1),
        "ratio": round(full / bare, 2),
        "best_full_us": round(min(result["full"]), 1),
        "best_bare_webcrypto_us": round(min(result["bare"]), 1),
        "best_ratio": round(min(result["full"]) / min(result["bare"]), 2),
        "goal_ratio": 2.0,
        "goal_met": full / bare <= 2.0,
        "rounds_full_us": [round(x, 1) for x in result["full"]],
        "rounds_bare_us": [round(x, 1) for x in result["bare"]],
        "stages_us": {k: round(v, 1) for k, v in result["stages"].items()},
        "code_chars": result["code_chars"],
        "signed_bytes": result["signed_bytes"],
        "browser": result["userAgent"],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(f"full verify():       {summary['full_us']:8.1f} µs per card")
        print(f"bare WebCrypto ES256: {summary['bare_webcrypto_us']:8.1f} µs")
        verdict = "met" if summary["goal_met"] else "NOT met"
        print(f"ratio:                {summary['ratio']:8.2f}x (goal <= 2x: {verdict})")
        best = f"{summary['best_full_us']:.1f} vs {summary['best_bare_webcrypto_us']:.1f} µs"
        print(f"best rounds:          {best} = {summary['best_ratio']:.2f}x")
        print("stages (µs):", summary["stages_us"])
        print(summary["browser"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
