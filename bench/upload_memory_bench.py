"""Memory of the public protection form under image bombs, behind a real WSGI server.

    .venv/bin/python bench/upload_memory_bench.py [--workers 4] [--rounds 3] [--json]

1. Serves the app with gunicorn (``--workers`` sync workers, default 4) on 127.0.0.1, settings
   ``sanspeur.settings.production`` on a throw-away SQLite file (generated secret key, master-key
   file and protection unit key; SSL redirect off; Redis db 14 as the shared cache, or
   ``SANSPEUR_CACHE_URL``). The proof-of-work is made cheap (``SANSPEUR_POW_COST=1``, a counter of
   at most 50) so that this script, which solves it in Python, measures memory and not hashing.
2. Baseline: each worker serves the form and a report with one small photo; the peak resident
   memory of each worker (``VmHWM`` in ``/proc/<pid>/status``, a high-water mark) is read.
3. Then, for each kind of bomb, ``--workers`` reports are posted **at once**, each carrying three
   files (the form's maximum): the peak of each worker is read again.

   - ``bomb_81mp``: PNGs of 235 kB that declare 9,000 × 9,000 RGB pixels (81 million, under
     Pillow's own 89-million warning; about 320 MB once decoded) — the kind of file the probe sent;
     they must be refused from their header, without decoding;
   - ``bomb_400mp``: PNGs of 380 kB that declare 20,000 × 20,000 pixels (Pillow refuses those
     itself, also from the header);
   - ``largest``: the largest images the form accepts (exactly at the pixel limit), which it
     must decode to strip their metadata: this gives the memory ceiling of one request;
   - ``jpeg``: the same at the limit, as JPEG.
4. Prints, per kind, the HTTP statuses, the time to answer, and the growth of the peak over the
   baseline: the largest worker and the sum over workers.

Every worker is a separate process, so the ceiling of the server is workers × the per-request
peak. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
VENV_BIN = ROOT / ".venv" / "bin"
PASSPHRASE = "bench passphrase of the protection unit"  # noqa: S105 - a throw-away unit key
MB = 1024 * 1024


# --- images ---------------------------------------------------------------------------------------
def png_header_bomb(width: int, height: int, mode: str = "L") -> bytes:
    """A valid PNG of zeros, written row by row so that the bomb is never held in memory here."""
    channels = {"L": 1, "RGB": 3}[mode]
    colour_type = {"L": 0, "RGB": 2}[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, colour_type, 0, 0, 0])
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + width * channels)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def jpeg_at(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (120, 130, 140)).save(out, "JPEG", quality=50)
    return out.getvalue()


def small_photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(out, "JPEG", quality=80)
    return out.getvalue()


# --- HTTP -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request(method, path, body=body or None, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def multipart(fields: dict[str, str], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "bench" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content_type, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def proof_fields(port: int, page: str) -> dict[str, str]:
    """The proof-of-work the form asks for, solved here (the server was told to make it cheap)."""
    match = re.search(r'<altcha-widget[^>]*challenge="([^"]+)"', page)
    if not match:  # a version of the form without proof of work
        return {}
    import altcha

    status, body = request(port, "GET", match.group(1).replace("&amp;", "&"))
    assert status == 200, status
    challenge = altcha.Challenge.from_dict(json.loads(body))
    solution = altcha.solve_challenge(challenge)
    payload = altcha.Payload(challenge, solution)
    return {"altcha": base64.b64encode(json.dumps(payload.to_dict()).encode()).decode()}


def post_report(port: int, files: list[tuple[str, str, bytes]]) -> tuple[int, float, str]:
    _status, page = request(port, "GET", "/en/protection/report/")
    fields = {
        "category": "work",
        "role": "victim",
        "text": "Benchmark report",
        "contact": "none",
        "contact_language": "en",
        **proof_fields(port, page.decode()),
    }
    body, content_type = multipart(fields, [("attachments", name, kind, data) for name, kind, data in files])
    start = time.perf_counter()
    status, answer = request(port, "POST", "/en/protection/report/", body, {"Content-Type": content_type})
    text = answer.decode(errors="replace")
    message = re.search(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>([^<]+)', text) or re.search(
        r'role="alert"[^>]*>(?:<p>)?([^<]+)', text
    )
    return status, time.perf_counter() - start, (message.group(1).strip() if message else "")


def at_once(count: int, function, *args) -> list:
    """``count`` calls of ``function(*args)`` started together, in threads; their results."""
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(function(*args))) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- memory of the workers -----------------------------------------------------------------------
def workers_of(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(pid)


def peaks(master: int) -> dict[int, int]:
    return {pid: peak_kb(pid) for pid in workers_of(master)}


# --- main -------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of simultaneous bombs per kind")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sanspeur-uploadbench-"))
    from sanspeur.core.keys import new_keyring_document

    key_file = work / "master-keys.json"
    key_file.write_text(json.dumps(new_keyring_document()))
    key_file.chmod(0o600)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SANSPEUR_", "DJANGO_"))},
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "sanspeur.settings.production",
        "SANSPEUR_ALLOW_SQLITE": "true",
        "SANSPEUR_SECRET_KEY": secrets.token_urlsafe(50),
        "SANSPEUR_ALLOWED_HOSTS": "127.0.0.1",
        "SANSPEUR_MASTER_KEY_FILE": str(key_file),
        "SANSPEUR_SSL_REDIRECT": "false",
        "SANSPEUR_CACHE_URL": os.environ.get("SANSPEUR_CACHE_URL", "redis://127.0.0.1:6379/14"),
        "SANSPEUR_DATA_DIR": str(work),
        "SANSPEUR_POW_COST": "1",
        "SANSPEUR_POW_COUNTER_MAX": "50",
        "SANSPEUR_KEY_DIR": str(work / "keys"),
        "BENCH_PASSPHRASE": PASSPHRASE,
        "PYTHONPATH": str(ROOT / "src"),
    }
    run = lambda *cmd: subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: E731
    from sanspeur.protection.uploads import max_pixels

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanspeur.settings.test")
    import django

    django.setup()
    limit = max_pixels()
    side = int(limit**0.5)
    kinds = {
        "bomb_81mp": [("bomb.png", "image/png", png_header_bomb(9_000, 9_000, "RGB"))] * 3,
        "bomb_400mp": [("bomb.png", "image/png", png_header_bomb(20_000, 20_000))] * 3,
        "largest": [("big.png", "image/png", png_header_bomb(side, limit // side, "RGB"))] * 3,
        "jpeg": [("big.jpg", "image/jpeg", jpeg_at(side, limit // side))] * 3,
    }
    server = None
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": " ".join(["bench/upload_memory_bench.py", *sys.argv[1:]]),
        "workers": args.workers,
        "pixel_limit": limit,
        "files": {k: [len(data) for _n, _t, data in v] for k, v in kinds.items()},
    }
    try:
        run(str(VENV_BIN / "sanspeur"), "migrate", "--noinput")
        run(str(VENV_BIN / "sanspeur"), "collectstatic", "--noinput")
        run(str(VENV_BIN / "sanspeur"), "protection_init_unit_key", "--passphrase-env", "BENCH_PASSPHRASE")
        report["kinds"] = {}
        for kind, files in kinds.items():
            # A fresh server for each kind: a peak is a high-water mark, and freed memory is not
            # always given back to the system, so kinds measured in one process would mix.
            port = free_port()
            server = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "sanspeur.wsgi:application", "--workers", str(args.workers)]
                + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "300"],
                env=env,
                cwd=ROOT,
            )
            for _ in range(200):
                try:
                    if request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            photo = [("photo.jpg", "image/jpeg", small_photo())]
            ordinary = []  # enough ordinary reports, sent together, for every worker to serve some
            for _ in range(3):
                ordinary += at_once(args.workers, post_report, port, photo)
            baseline = peaks(server.pid)
            results: list = []
            for _round in range(args.rounds):
                results += at_once(args.workers, post_report, port, files)
            after = peaks(server.pid)
            growth = {pid: after[pid] - baseline.get(pid, after[pid]) for pid in after}
            report["kinds"][kind] = {
                "ordinary_statuses": sorted({status for status, _e, _m in ordinary}),
                "ordinary_ms_max": round(max(elapsed for _s, elapsed, _m in ordinary) * 1000),
                "baseline_peak_max_mb": round(max(baseline.values()) / 1024, 1),
                "statuses": sorted({status for status, _e, _m in results}),
                "messages": sorted({message for _s, _e, message in results}),
                "seconds_max": round(max(elapsed for _s, elapsed, _m in results), 2),
                "peak_growth_max_mb": round(max(growth.values()) / 1024, 1),
                "peak_growth_sum_mb": round(sum(growth.values()) / 1024, 1),
                "peak_max_mb": round(max(after.values()) / 1024, 1),
            }
            server.terminate()
            server.wait(20)
            server = None
    finally:
        if server:
            server.terminate()
            server.wait(20)
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['date']} — {report['machine']} — {report['command']}")
    print(f"{args.workers} gunicorn workers; pixel limit {limit:,}; files per request: 3")
    for kind, row in report["kinds"].items():
        sizes = ", ".join(f"{n // 1024} kB" for n in report["files"][kind][:1])
        print(
            f"{kind:10} ({sizes} each) baseline peak {row['baseline_peak_max_mb']} MB after ordinary reports "
            f"(statuses {row['ordinary_statuses']}, ≤ {row['ordinary_ms_max']} ms)\n"
            f"{'':10} bombs: statuses {row['statuses']} in ≤ {row['seconds_max']} s: "
            f"peak growth {row['peak_growth_max_mb']} MB in the worst worker, "
            f"{row['peak_growth_sum_mb']} MB over all; worst worker peak {row['peak_max_mb']} MB"
        )
        for message in row["messages"]:
            print(f"         message: {message}")


if __name__ == "__main__":
    main()
