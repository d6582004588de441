"""``sanspeur-verify``: check a card code offline and print the result as JSON.

Exit status: 0 valid, 1 not valid (any reason), 2 usage or input error (bad arguments,
unreadable or oversized files, standard input that is not UTF-8, an image that is too
large to decode, a trust list that does not verify, standard output closed). Errors are
one JSON line on standard error, ``{"error": "..."}``; never a traceback.

Examples::

    sanspeur-verify --trust trust.jws --trust-root root.pem --status status.cwt 'MTL1:...'
    zbarimg -q --raw card.png | sanspeur-verify --trust ... --trust-root ... --status ...
    sanspeur-verify --image card.png --trust https://.../trust.jws --trust-root root.pem ...
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import sys
import urllib.parse
import urllib.request
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import IO, NoReturn

from cryptography.exceptions import UnsupportedAlgorithm

from .statuslist import StatusListError, parse_status_list_token
from .trustlist import TrustListError, load_public_keys_pem, load_trust_list
from .verify import DEFAULT_LEEWAY, DEFAULT_MAX_STATUS_AGE, VerificationResult, verify

EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
_FETCH_TIMEOUT_SECONDS = 15
_MAX_FETCH_BYTES = 32 * 1024 * 1024  # files too: `--trust /dev/zero` must not fill memory
_MAX_STDIN_BYTES = 1024 * 1024  # a code is at most 4,400 characters
# A photo or scan of a card needs a few megapixels; a small PNG can claim 2**31 x 2**31.
# Pillow refuses above twice its limit and only warns above it: we refuse above it.
MAX_IMAGE_PIXELS = 25_000_000
# Raster formats a scan or photo comes in; others (EPS runs Ghostscript) are never opened.
_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
# --leeway and --max-status-age: finite, non-negative, at most ten years (timedelta and
# datetime arithmetic overflow beyond that, and no policy needs more).
_MAX_SECONDS = 10 * 365 * 24 * 3600


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Argument errors become a UsageError: one line, not the usage text plus a message."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def print_help(self, file: IO[str] | None = None) -> None:
        # argparse swallows write errors here; let a closed pipe reach main().
        (file or sys.stdout).write(self.format_help())


def _read_limited(stream: object, name: str) -> bytes:
    data = stream.read(_MAX_FETCH_BYTES + 1)  # type: ignore[attr-defined]
    if len(data) > _MAX_FETCH_BYTES:
        raise UsageError(f"{name} is too large")
    return data


def read_source(source: str) -> bytes:
    """Bytes of a local file or an http(s) URL. Files keep the verifier fully offline."""
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        try:
            request = urllib.request.Request(source, headers={"User-Agent": "sanspeur-verify"})  # noqa: S310 (scheme checked)
            with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                return _read_limited(response, source)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise UsageError(f"cannot fetch {source}: {exc}") from exc
    try:
        with open(source, "rb") as file:
            return _read_limited(file, source)
    except (OSError, ValueError) as exc:  # ValueError: e.g. a NUL byte in the path
        raise UsageError(f"cannot read {source}: {exc}") from exc


def _parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 datetime: {text}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _seconds(text: str) -> timedelta:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text}") from exc
    if not math.isfinite(value) or not 0 <= value <= _MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {_MAX_SECONDS}, not {text}")
    return timedelta(seconds=value)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sanspeur-verify",
        description="Verify a Sans peur card code offline. Prints JSON; exit 0 valid, 1 not valid, 2 usage error.",
    )
    parser.add_argument("code", nargs="?", help="card code (MTL1:...); '-' or omitted reads standard input")
    parser.add_argument("--image", help="read the code from a QR code in this image file")
    parser.add_argument("--trust", required=True, help="trust list (compact JWS): file path or http(s) URL")
    parser.add_argument(
        "--trust-root", required=True, action="append", help="PEM public key(s) of the trust-list root; repeatable"
    )
    parser.add_argument("--status", action="append", default=[], help="status list token: file or URL; repeatable")
    parser.add_argument("--now", type=_parse_now, help="ISO 8601 time to verify at (default: now; naive = UTC)")
    parser.add_argument(
        "--max-status-age",
        type=_seconds,
        default=DEFAULT_MAX_STATUS_AGE,
        help=f"seconds after which the status list is stale (default {int(DEFAULT_MAX_STATUS_AGE.total_seconds())})",
    )
    parser.add_argument(
        "--leeway", type=_seconds, default=DEFAULT_LEEWAY, help="clock skew tolerance in seconds (default 300)"
    )
    parser.add_argument("--photo", action="store_true", help="include the photo as a base64 data URL")
    return parser


def _read_image(path: str) -> str | None:
    from PIL import Image

    from .qr import read_qr

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # open() reads the header only: the size is known before any pixel is decoded.
            with Image.open(path, formats=_IMAGE_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UsageError(f"image {path} is too large ({width}x{height} pixels, at most {MAX_IMAGE_PIXELS})")
                image.load()
                return read_qr(image.convert("L"))
    except UsageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UsageError(f"image {path} is too large (at most {MAX_IMAGE_PIXELS} pixels)") from exc
    except Exception as exc:  # noqa: BLE001 - decoders raise OSError, ValueError, EOFError, SyntaxError...
        raise UsageError(f"cannot read image {path}: {type(exc).__name__}: {exc}") from exc


def _read_code(args: argparse.Namespace) -> str | None:
    if args.image:
        if args.code not in (None, "-"):
            raise UsageError("give either a code or --image, not both")
        return _read_image(args.image)
    if args.code not in (None, "-"):
        code: str = args.code
        try:
            code.encode("utf-8")  # an argument that was not UTF-8 holds lone surrogates
        except UnicodeEncodeError as exc:
            raise UsageError("the code argument is not UTF-8 text") from exc
        return code
    if sys.stdin is None:
        raise UsageError("no code given and standard input is closed")
    data = sys.stdin.buffer.read(_MAX_STDIN_BYTES + 1)
    if len(data) > _MAX_STDIN_BYTES:
        raise UsageError("standard input is too large for a card code")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError("standard input is not UTF-8 text") from exc


def run(argv: Sequence[str] | None = None) -> tuple[int, dict[str, object]]:
    """Parse arguments, verify, return (exit status, JSON document). Raises UsageError."""
    args = build_parser().parse_args(argv)
    now = args.now or datetime.now(UTC)
    roots = []
    for root_path in args.trust_root:
        try:
            roots.extend(load_public_keys_pem(read_source(root_path)))
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise UsageError(f"{root_path}: {exc}") from exc
    try:
        trust_list = load_trust_list(read_source(args.trust), roots, now=now)
    except (TrustListError, ValueError) as exc:
        raise UsageError(f"trust list rejected: {exc}") from exc
    status_lists = []
    for status_source in args.status:
        data = read_source(status_source)
        try:
            status_lists.append(parse_status_list_token(data))
        except (StatusListError, ValueError) as exc:
            # Not a usage error: the verifier reports what a missing list means.
            print(f"warning: ignoring status list {status_source}: {exc}", file=sys.stderr)

    code = _read_code(args)
    if code is None:
        result = VerificationResult(valid=False, reason="malformed", detail="no QR code found in image")
    else:
        result = verify(
            code, trust_list, status_lists or None, now, max_status_age=args.max_status_age, leeway=args.leeway
        )
    return (EXIT_VALID if result.valid else EXIT_NOT_VALID), result.to_json_dict(include_photo=args.photo)


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the locale (JSON is UTF-8), flushed now so a closed pipe shows here."""
    out = sys.stdout
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(text)
        out.flush()
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def _error(message: str) -> None:
    try:
        print(json.dumps({"error": message}), file=sys.stderr)
    except (OSError, ValueError):  # standard error closed too: nothing left to tell
        pass


def _discard_stdout() -> None:
    """After EPIPE: point standard output at /dev/null so the flush at exit cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status, document = run(argv)
        _write_stdout(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `sanspeur-verify ... | head -c0`: the reader left, exit quietly
        _discard_stdout()
        return EXIT_USAGE
    except SystemExit as exc:  # --help exits 0
        try:
            sys.stdout.flush()  # argparse ignores write errors: find out about a closed pipe here
        except (BrokenPipeError, ValueError):
            _discard_stdout()
            return EXIT_USAGE
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        _error(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_USAGE
    return status


if __name__ == "__main__":
    sys.exit(main())
