"""``sanspeur-verify``: check a card code offline and print the result as JSON.

Exit status: 0 valid, 1 not valid (any reason), 2 usage or configuration error
(bad arguments, unreadable files, a trust list that does not verify).

Examples::

    sanspeur-verify --trust trust.jws --trust-root root.pem --status status.cwt 'MTL1:...'
    zbarimg -q --raw card.png | sanspeur-verify --trust ... --trust-root ... --status ...
    sanspeur-verify --image card.png --trust https://.../trust.jws --trust-root root.pem ...
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .statuslist import StatusListError, parse_status_list_token
from .trustlist import TrustListError, load_public_keys_pem, load_trust_list
from .verify import DEFAULT_LEEWAY, DEFAULT_MAX_STATUS_AGE, VerificationResult, verify

EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_USAGE = 2
_FETCH_TIMEOUT_SECONDS = 15
_MAX_FETCH_BYTES = 32 * 1024 * 1024


class UsageError(Exception):
    pass


def read_source(source: str) -> bytes:
    """Bytes of a local file or an http(s) URL. Files keep the verifier fully offline."""
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        request = urllib.request.Request(source, headers={"User-Agent": "sanspeur-verify"})  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                data = response.read(_MAX_FETCH_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot fetch {source}: {exc}") from exc
        if len(data) > _MAX_FETCH_BYTES:
            raise UsageError(f"{source} is too large")
        return data
    try:
        return Path(source).read_bytes()
    except OSError as exc:
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
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return timedelta(seconds=value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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


def _read_code(args: argparse.Namespace) -> str | None:
    if args.image:
        if args.code not in (None, "-"):
            raise UsageError("give either a code or --image, not both")
        from PIL import Image, UnidentifiedImageError

        from .qr import read_qr

        try:
            with Image.open(args.image) as image:
                image.load()
                return read_qr(image.convert("L"))
        except (OSError, UnidentifiedImageError) as exc:
            raise UsageError(f"cannot read image {args.image}: {exc}") from exc
    if args.code not in (None, "-"):
        return args.code
    return sys.stdin.read()


def run(argv: Sequence[str] | None = None) -> tuple[int, dict[str, object]]:
    """Parse arguments, verify, return (exit status, JSON document). Raises UsageError."""
    args = build_parser().parse_args(argv)
    now = args.now or datetime.now(UTC)
    roots = []
    for root_path in args.trust_root:
        try:
            roots.extend(load_public_keys_pem(read_source(root_path)))
        except ValueError as exc:
            raise UsageError(f"{root_path}: {exc}") from exc
    try:
        trust_list = load_trust_list(read_source(args.trust), roots, now=now)
    except TrustListError as exc:
        raise UsageError(f"trust list rejected: {exc}") from exc
    status_lists = []
    for status_source in args.status:
        data = read_source(status_source)
        try:
            status_lists.append(parse_status_list_token(data))
        except StatusListError as exc:
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status, document = run(argv)
    except UsageError as exc:
        print(json.dumps({"error": str(exc)}), file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # argparse: --help exits 0, bad arguments exit 2
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    print(json.dumps(document, ensure_ascii=False, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
