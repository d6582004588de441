"""sanspeur-verify through a real subprocess: exit codes 0/1/2, stdin, --image, URLs."""

from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from credential_helpers import INDEX_REVOKED, NOW, SRC, World
from cryptography.hazmat.primitives import serialization

from sanspeur.credential.qr import render_png

NOW_ARG = NOW.isoformat()


@pytest.fixture(scope="module")
def files(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("cli")
    root_pem = world.root.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    paths = {
        "root": directory / "root.pem",
        "trust": directory / "trust.jws",
        "status": directory / "status.cwt",
        "image": directory / "card.png",
    }
    paths["root"].write_bytes(root_pem)
    paths["trust"].write_text(world.trust_jws)
    paths["status"].write_bytes(world.status_token_bytes)
    paths["image"].write_bytes(render_png(world.issue()))
    return paths


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "sanspeur.credential.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def base_args(files: dict[str, Path]) -> list[str]:
    return [
        "--trust", str(files["trust"]),
        "--trust-root", str(files["root"]),
        "--status", str(files["status"]),
        "--now", NOW_ARG,
    ]  # fmt: skip


def test_valid_code_exits_0(files: dict[str, Path], valid_code: str) -> None:
    result = run_cli(*base_args(files), valid_code)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["valid"] is True and output["reason"] == "valid"
    assert output["claims"]["given_names"] == "Marie-Claire Anne"
    assert "photo" not in output


def test_photo_flag_includes_data_url(files: dict[str, Path], valid_code: str, world: World) -> None:
    output = json.loads(run_cli(*base_args(files), "--photo", valid_code).stdout)
    prefix = "data:image/webp;base64,"
    assert output["photo"].startswith(prefix)
    assert base64.b64decode(output["photo"][len(prefix) :]) == world.photo


def test_code_from_stdin(files: dict[str, Path], valid_code: str) -> None:
    result = run_cli(*base_args(files), stdin=valid_code + "\n")
    assert result.returncode == 0, result.stderr
    assert run_cli(*base_args(files), "-", stdin=valid_code).returncode == 0


def test_not_valid_exits_1(files: dict[str, Path], world: World) -> None:
    revoked = world.issue(status_index=INDEX_REVOKED)
    result = run_cli(*base_args(files), revoked)
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "revoked"
    garbage = run_cli(*base_args(files), "MTL1:NOT A CODE")
    assert garbage.returncode == 1 and json.loads(garbage.stdout)["reason"] == "malformed"


def test_missing_status_list_is_stale_not_usage(files: dict[str, Path], valid_code: str) -> None:
    args = ["--trust", str(files["trust"]), "--trust-root", str(files["root"]), "--now", NOW_ARG]
    result = run_cli(*args, valid_code)
    assert result.returncode == 1 and json.loads(result.stdout)["reason"] == "status_list_stale"


def test_image_input(files: dict[str, Path]) -> None:
    result = run_cli(*base_args(files), "--image", str(files["image"]))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["valid"] is True


def test_image_without_qr_is_malformed(files: dict[str, Path], tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (100, 100), 255).save(blank)
    result = run_cli(*base_args(files), "--image", str(blank))
    assert result.returncode == 1 and json.loads(result.stdout)["reason"] == "malformed"


@pytest.mark.parametrize(
    "args",
    [
        [],  # --trust and --trust-root are required
        ["--trust", "/nonexistent/trust.jws", "--trust-root", "/nonexistent/root.pem", "MTL1:"],
        ["--now", "yesterday"],
        ["--bogus-option"],
    ],
)
def test_usage_errors_exit_2(files: dict[str, Path], args: list[str]) -> None:
    if args and args[0] == "--now":
        args = [*base_args(files)[:-2], *args, "MTL1:X"]
    assert run_cli(*args).returncode == 2


def test_untrusted_trust_list_is_a_usage_error(files: dict[str, Path], valid_code: str, tmp_path: Path) -> None:
    from sanspeur.credential import LocalSigner

    stranger = tmp_path / "other-root.pem"
    stranger.write_bytes(
        LocalSigner.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    args = ["--trust", str(files["trust"]), "--trust-root", str(stranger), "--now", NOW_ARG, valid_code]
    result = run_cli(*args)
    assert result.returncode == 2 and "trust list rejected" in result.stderr
    both = run_cli("--image", str(files["image"]), *base_args(files), valid_code)
    assert both.returncode == 2


@pytest.fixture
def local_server(files: dict[str, Path]) -> Iterator[str]:
    """Serve the trust and status files over HTTP on the loopback interface only."""
    directory = files["trust"].parent

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_trust_and_status_from_http(files: dict[str, Path], local_server: str, valid_code: str) -> None:
    args = [
        "--trust", f"{local_server}/trust.jws",
        "--trust-root", str(files["root"]),
        "--status", f"{local_server}/status.cwt",
        "--now", NOW_ARG,
    ]  # fmt: skip
    result = run_cli(*args, valid_code)
    assert result.returncode == 0, result.stderr
    missing = run_cli("--trust", f"{local_server}/nope.jws", "--trust-root", str(files["root"]), valid_code)
    assert missing.returncode == 2


def test_main_in_process(files: dict[str, Path], valid_code: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sanspeur.credential.cli import main

    assert main([*base_args(files), valid_code]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["--help"]) == 0


# --- usage and input errors: exit 2, one line on standard error, never a traceback ---------------


def run_raw(*args: str, stdin: bytes = b"", stdout: int = subprocess.PIPE, buffered: bool = False) -> tuple[int, str]:
    """Run the CLI with raw bytes on standard input; (exit status, standard error)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    if buffered:  # as a user runs it (the test environment may set PYTHONUNBUFFERED)
        env.pop("PYTHONUNBUFFERED", None)
    result = subprocess.run(
        [sys.executable, "-m", "sanspeur.credential.cli", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stderr.decode("utf-8", "replace")


def assert_usage_error(status: int, stderr: str, expected: str | None = None) -> None:
    assert status == 2, stderr
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    message = json.loads(lines[0])["error"]
    if expected is not None:
        assert expected in message, message


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_stdin_that_is_not_utf8(files: dict[str, Path]) -> None:
    status, stderr = run_raw(*base_args(files), stdin=b"MTL1:\xff\xfe\xfd")
    assert_usage_error(status, stderr, "not UTF-8")


@pytest.mark.parametrize(
    ("size", "how"),
    [
        ((6000, 6000), "real"),  # 36 Mpx: over our limit, under Pillow's own refusal (2x)
        ((100_000, 100_000), "claimed"),  # 10 Gpx in a 70-byte file
        ((2**31 - 1, 2**31 - 1), "claimed"),
    ],
)
def test_decompression_bomb_image(files: dict[str, Path], tmp_path: Path, size: tuple[int, int], how: str) -> None:
    from PIL import Image

    path = tmp_path / "bomb.png"
    if how == "real":
        Image.new("1", size, 1).save(path)
        assert path.stat().st_size < 100_000
    else:
        path.write_bytes(_png_claiming(*size))
    assert_usage_error(*run_raw(*base_args(files), "--image", str(path)), "too large")


@pytest.mark.parametrize("content", [b"not an image", _png_claiming(100, 100)[:-20], b"%!PS-Adobe-3.0 EPSF-3.0\n"])
def test_image_that_does_not_decode(files: dict[str, Path], tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    assert_usage_error(*run_raw(*base_args(files), "--image", str(path)), "cannot read image")


@pytest.mark.parametrize("option", ["--leeway", "--max-status-age"])
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "1e300", "400000000", "abc", ""])
def test_bad_durations(files: dict[str, Path], valid_code: str, option: str, value: str) -> None:
    assert_usage_error(*run_raw(*base_args(files), f"{option}={value}", valid_code), option)


def test_closed_output_pipe_exits_quietly(files: dict[str, Path], valid_code: str) -> None:
    """`sanspeur-verify ... | head -c0`: the reader is gone before the JSON is written."""
    for extra in ([valid_code], ["--photo", valid_code], ["--help"]):
        for buffered in (True, False):
            read_end, write_end = os.pipe()
            os.close(read_end)
            try:
                status, stderr = run_raw(*base_args(files), *extra, stdout=write_end, buffered=buffered)
            finally:
                os.close(write_end)
            assert status == 2 and stderr == "", (extra, buffered, status, stderr)


def test_closed_output_pipe_in_a_shell(files: dict[str, Path], valid_code: str, tmp_path: Path) -> None:
    import shlex

    command = " ".join(
        shlex.quote(part) for part in [sys.executable, "-m", "sanspeur.credential.cli", *base_args(files), valid_code]
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    result = subprocess.run(  # noqa: S603 - fixed command, test only
        ["/bin/bash", "-c", f"{command} 2>{shlex.quote(str(tmp_path / 'err'))} | head -c0; echo ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    # head may leave before or after the JSON is written: exit 0 (written) or 2 (pipe closed).
    assert result.stdout.strip() in ("0", "2"), result
    assert (tmp_path / "err").read_text() == ""


@pytest.mark.parametrize("which", ["--trust", "--trust-root", "--status"])
@pytest.mark.parametrize("path", ["missing", "directory", "/dev/zero"])
def test_unreadable_files(files: dict[str, Path], valid_code: str, tmp_path: Path, which: str, path: str) -> None:
    target = {"missing": str(tmp_path / "nope"), "directory": str(tmp_path), "/dev/zero": "/dev/zero"}[path]
    args = base_args(files)
    args[args.index(which) + 1] = target
    assert_usage_error(*run_raw(*args, valid_code), "too large" if path == "/dev/zero" else "cannot read")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello",
        b"\xff\xfe\x00binary",
        b"a.b.c",
        b"e30.e30.",  # {} . {} . no signature
        base64.urlsafe_b64encode(b"[" * 200_000).rstrip(b"=") + b".e30.AA",  # nested past the recursion limit
    ],
)
def test_trust_list_that_is_not_a_jws(files: dict[str, Path], valid_code: str, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "trust.jws"
    path.write_bytes(content)
    args = base_args(files)
    args[args.index("--trust") + 1] = str(path)
    assert_usage_error(*run_raw(*args, valid_code), "trust list rejected")


@pytest.mark.parametrize("content", [b"", b"not pem", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_trust_root_that_is_not_a_key(files: dict[str, Path], valid_code: str, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "root.pem"
    path.write_bytes(content)
    args = base_args(files)
    args[args.index("--trust-root") + 1] = str(path)
    assert_usage_error(*run_raw(*args, valid_code))


def test_argument_errors_are_one_line(files: dict[str, Path]) -> None:
    assert_usage_error(*run_raw("--bogus-option"))
    assert_usage_error(*run_raw(), "required")
    assert_usage_error(*run_raw(*base_args(files)[:-2], "--now", "yesterday", "MTL1:X"), "--now")
    assert_usage_error(*run_raw(*base_args(files), "--image", "x.png", "MTL1:X"), "either")
