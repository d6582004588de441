"""The repository carries what it needs: no tracked file points at a development machine's folders.

A test that read a schema from a developer's home, or a script that called a tool from a shared
folder, passes on that machine and fails on every other one (CI runs a clean clone elsewhere).
"""

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Folders that exist on a developer's machine and nowhere else. /opt/sanspeur (the documented
# production install) and /etc, /usr, /var/lib (system paths) are not machine-specific.
MACHINE_PATH = re.compile(
    r"(?<![\w.~-])(?:\/work\/|\/home\/[a-z_][\w-]*\/|\/root\/|\/Users\/|\/mnt\/|\/media\/|[A-Z]:\\Users\\)|\.\.\/shared\/",
)


def tracked_files() -> list[Path]:
    try:
        result = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [REPO_ROOT / name for name in result.stdout.decode().split("\0") if name]


def offending_lines(text: str, own_root: str) -> list[str]:
    return [
        line.strip()[:160] for line in text.splitlines() if MACHINE_PATH.search(line) or (own_root and own_root in line)
    ]


def test_no_tracked_file_holds_a_development_machine_path():
    own_root = str(REPO_ROOT)
    found = {}
    for path in tracked_files():
        if not path.is_file() or path.suffix in {".mo", ".png", ".jpg", ".pdf", ".woff2", ".wasm"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        lines = offending_lines(text, own_root)
        if lines:
            found[str(path.relative_to(REPO_ROOT))] = lines[:3]
    assert not found, f"absolute paths of a development machine in tracked files: {found}"


# Written in pieces, so that this file does not hold what it looks for.
SLASH = "/"


@pytest.mark.parametrize(
    "line",
    [
        f'SCHEMA = Path("{SLASH}work{SLASH}shared/reference/hsds-3.0/schema")',
        f"cp ..{SLASH}shared/reference/x .",
        f"open('{SLASH}home/alex/notes.txt')",
        f"{SLASH}root/.cache/thing",
        "C:" + "\\Users\\alex\\repo",
    ],
)
def test_the_check_sees_machine_paths(line):
    assert offending_lines(line, "")


@pytest.mark.parametrize(
    "line",
    [
        f"{SLASH}opt/sanspeur/venv/bin/sanspeur migrate",
        f"{SLASH}usr/bin/chromium",
        f"{SLASH}etc/sanspeur/env",
        "docs/work/x",
        f"~{SLASH}work/",
    ],
)
def test_the_check_leaves_ordinary_paths_alone(line):
    assert not offending_lines(line, "")
