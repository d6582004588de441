"""Render every page × language × screen size with Chromium and assemble a contact sheet.

    sanspeur gallery --out gallery/ --lang fr ar --size phone desktop [--staff admin] [--page core:home]

For review, on the demo data (``sanspeur load_demo``): each public page of ``accounts.policy.PAGES``
(and, with ``--staff USERNAME``, each staff page that account may open, signed in as that demo
account) is opened in Chromium at 390×844 (phone) and 1280×900 (desktop); a full-page screenshot
goes to ``OUT/<size>/<lang>/<page>.png``. ``OUT/index.html`` lists them all with their thumbnails
and ``OUT/sheet-<size>-<lang>.png`` puts them side by side on one image. Pages that ask for a value
in their address get one from the demo data (the first service, clinic, call...); a page with no
such value, and anything that is not an HTML page (CSV, PDF, JSON), is left out and named in the
report. The same pass looks for duplicate ``id`` attributes (a label then names the wrong field):
``OUT/problems.txt``. docs/design.md "Page gallery".
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse
from django.utils import translation

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
THUMB_WIDTH = 260
THUMB_HEIGHT = 420
MAX_SHOT_HEIGHT = 12_000  # px: a longer page is cut there (a list of hundreds of rows)
DUPLICATE_IDS_JS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) { seen[el.id] = (seen[el.id] || 0) + 1; }
  return Object.keys(seen).filter((id) => seen[id] > 1);
}"""


@dataclass
class Shot:
    name: str
    path: str
    size: str
    lang: str
    file: Path | None = None
    status: int = 0
    duplicate_ids: tuple[str, ...] = ()


def _first(model_path: str, field: str = "pk", **filters):
    """A value from the first row of a model, or None (the app is not installed or has no data)."""
    from django.apps import apps

    app_label, model_name = model_path.split(".")
    if not apps.is_installed(f"sanspeur.{app_label}") and app_label != "directory":
        return None
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    row = model.objects.filter(**filters).order_by("pk").values_list(field, flat=True).first()
    return row


def url_values() -> dict[str, dict]:
    """Values for the parameters of pages that need one, from the demo data (None: left out)."""
    event = _first("clinics.Event", is_published=True)
    return {
        "directory:detail": {"pk": _first("directory.Service")},
        "clinics:event_detail": {"pk": event},
        "clinics:event_poster": {"pk": event},
        "clinics:book": {"session_id": _first("clinics.Session", service__event__is_published=True)},
        "grants:call_detail": {"code": _first("grants.Call", "code")},
        "impact:release": {"slug": _first("impact.Release", "slug")},
        "outside_requests:edition": {"period": _first("outside_requests.TransparencyEdition", "period")},
        # Staff pages (--staff): the first record of each kind; the account may still be refused it.
        "accounts:staff_detail": {"pk": _first("accounts.User")},
        "accounts:organisation_edit": {"pk": _first("accounts.Organisation")},
        "cards:document_type_edit": {"pk": _first("cards.DocumentType")},
        "cards:holder_detail": {"pk": _first("cards.Holder", shredded_at__isnull=True)},
        "clinics:staff_event_detail": {"pk": event},
        "clinics:staff_event_edit": {"pk": event},
        "clinics:staff_event_report": {"pk": event},
        "clinics:checkin_event": {"pk": event},
        "grants:call_manage": {"pk": _first("grants.Call")},
        "grants:call_edit": {"pk": _first("grants.Call")},
        "grants:call_ranking": {"pk": _first("grants.Call")},
        "grants:staff_application": {"pk": _first("grants.Application")},
        "grants:review": {"pk": _first("grants.Assignment")},
        "training:unit_detail": {"pk": _first("training.Unit")},
        "training:person_detail": {"pk": _first("training.Person")},
        "training:session_detail": {"pk": _first("training.Session")},
        "protection:case_detail": {"reference": _first("protection.Case", "reference")},
        "outside_requests:request_detail": {"reference": _first("outside_requests.OutsideRequest", "reference")},
        "impact:staff_release": {"slug": _first("impact.Release", "slug")},
    }


def language_page_names() -> set[str]:
    """The URL names under the language prefix (/fr/…): the pages for people, not machine endpoints."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import LocalePrefixPattern

    names: set[str] = set()

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, [*namespaces, pattern.namespace] if pattern.namespace else namespaces)
            elif pattern.name:
                names.add(":".join([*namespaces, pattern.name]))

    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            walk(pattern.url_patterns, [])
    return names


def gallery_pages(
    *, staff_user=None, only: list[str] | None = None, public: bool = True
) -> tuple[list[tuple[str, str]], list[str]]:
    """(URL name, path without language) of each page to render, and the names left out."""
    from sanspeur.accounts.policy import PAGES, PUBLIC, STAFF, has_capability

    values = url_values()
    for_people = language_page_names()
    pages, left_out = [], []
    for name, page in PAGES.items():
        if (only and name not in only) or name not in for_people:
            continue
        if page.access == PUBLIC:
            if not public:
                continue
        elif page.access == STAFF and staff_user is not None:
            if page.capabilities and not any(has_capability(staff_user, c) for c in page.capabilities):
                continue
        else:
            continue
        kwargs = values.get(name, {})
        if any(value is None for value in kwargs.values()):
            left_out.append(name)
            continue
        with translation.override(settings.LANGUAGE_CODE):
            try:
                path = reverse(name, kwargs={k: str(v) for k, v in kwargs.items()})
            except NoReverseMatch:
                left_out.append(name)
                continue
        prefix = f"/{settings.LANGUAGE_CODE}/"
        if not path.startswith(prefix):
            continue  # a machine endpoint: no language, not a page for people
        pages.append((name, path[len(prefix) - 1 :]))
    return pages, left_out


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name of the standard library's argument
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request, client_address):
        thread = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        thread.start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)
            from django.db import connections

            connections.close_all()


def _serve() -> tuple[str, WSGIServer]:
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", 0, StaticFilesHandler(get_wsgi_application()), _ThreadingServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def sign_in(page, base_url: str, username: str) -> None:
    """Sign the browser in as a demo member of staff (demo password, authenticator code)."""
    from sanspeur.accounts.demo import DEMO_PASSWORD, demo_totp_code

    page.goto(f"{base_url}/{settings.LANGUAGE_CODE}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.fill("#id_token", demo_totp_code(username))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def contact_sheet(shots: list[Shot], out: Path, title: str) -> Path | None:
    """One PNG with every page's thumbnail and its name underneath."""
    from PIL import Image, ImageDraw, ImageOps

    shots = [s for s in shots if s.file]
    if not shots:
        return None
    columns = min(6, len(shots))
    rows = (len(shots) + columns - 1) // columns
    label = 34
    sheet = Image.new("RGB", (columns * (THUMB_WIDTH + 16) + 16, rows * (THUMB_HEIGHT + label + 16) + 56), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((16, 16), title, fill="black")
    for index, shot in enumerate(shots):
        x = 16 + (index % columns) * (THUMB_WIDTH + 16)
        y = 56 + (index // columns) * (THUMB_HEIGHT + label + 16)
        with Image.open(shot.file) as image:
            top = image.crop((0, 0, image.width, min(image.height, int(image.width * THUMB_HEIGHT / THUMB_WIDTH))))
            thumb = ImageOps.contain(top.convert("RGB"), (THUMB_WIDTH, THUMB_HEIGHT))
        sheet.paste(thumb, (x, y))
        draw.rectangle((x - 1, y - 1, x + thumb.width, y + thumb.height), outline="#b1b4b6")
        draw.text((x, y + THUMB_HEIGHT + 4), shot.name[:40], fill="black")
        if shot.duplicate_ids or shot.status >= 400:
            draw.text((x, y + THUMB_HEIGHT + 18), f"HTTP {shot.status} ids:{len(shot.duplicate_ids)}", fill="#b3261e")
    sheet.save(out, optimize=True)
    return out


def write_index(shots: list[Shot], out: Path, left_out: list[str]) -> Path:
    rows = []
    for shot in shots:
        if not shot.file:
            continue
        relative = shot.file.relative_to(out).as_posix()
        note = f" — duplicate ids: {html.escape(', '.join(shot.duplicate_ids))}" if shot.duplicate_ids else ""
        rows.append(
            f'<figure><a href="{relative}"><img src="{relative}" alt="" loading="lazy" width="{THUMB_WIDTH}"></a>'
            f"<figcaption>{html.escape(shot.name)} · {shot.lang} · {shot.size} · HTTP {shot.status}{note}"
            "</figcaption></figure>"
        )
    skipped = "".join(f"<li>{html.escape(name)}</li>" for name in left_out)
    index = out / "index.html"
    style = (
        "body{font-family:system-ui;margin:1rem}figure{display:inline-block;vertical-align:top;margin:.5rem;"
        f"width:{THUMB_WIDTH}px;font-size:.8rem}}img{{border:1px solid #b1b4b6;max-height:{THUMB_HEIGHT}px;"
        "object-fit:cover;object-position:top}"
    )
    index.write_text(
        '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Sans peur page gallery</title>'
        f"<style>{style}</style><h1>Page gallery</h1>{''.join(rows)}<h2>Left out</h2><ul>{skipped}</ul></html>",
        encoding="utf-8",
    )
    return index


class Command(BaseCommand):
    help = "Screenshot every page in each language and screen size, and assemble a contact sheet (demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Directory for the screenshots and the contact sheet.")
        parser.add_argument("--lang", nargs="+", default=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--size", nargs="+", choices=sorted(SIZES), default=["phone", "desktop"])
        parser.add_argument("--page", nargs="+", dest="pages", help="Only these URL names (e.g. core:home).")
        parser.add_argument("--staff", metavar="USERNAME", help="Also staff pages, signed in as this demo account.")
        parser.add_argument("--staff-only", action="store_true", help="With --staff: leave the public pages out.")
        parser.add_argument("--base-url", help="A server already running on these data (default: start one).")
        parser.add_argument("--chromium", help="Chromium executable (default: SANSPEUR_CHROMIUM).")

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright

        from sanspeur.accounts.models import User
        from sanspeur.settings import registry

        languages = dict(settings.LANGUAGES)
        unknown = [code for code in options["lang"] if code not in languages]
        if unknown:
            raise CommandError(f"Unknown language: {', '.join(unknown)}")
        staff_user = None
        if options["staff"]:
            staff_user = User.objects.filter(username=options["staff"]).first()
            if staff_user is None:
                raise CommandError(f"No account {options['staff']!r}: run `sanspeur load_demo` first.")
        pages, left_out = gallery_pages(
            staff_user=staff_user, only=options["pages"], public=not (staff_user and options["staff_only"])
        )
        if not pages:
            raise CommandError("No page to render.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        chromium = options["chromium"] or str(registry.Environment()("SANSPEUR_CHROMIUM"))
        server = None
        base_url = options["base_url"]
        if not base_url:
            base_url, server = _serve()
        shots: list[Shot] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True)
                for size in options["size"]:
                    width, height = SIZES[size]
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    page.set_default_timeout(30_000)
                    if staff_user is not None:
                        sign_in(page, base_url, staff_user.username)
                    for lang in options["lang"]:
                        folder = out / size / lang
                        folder.mkdir(parents=True, exist_ok=True)
                        for name, path in pages:
                            shots.append(self._shoot(page, base_url, name, f"/{lang}{path}", size, lang, folder))
                        sheet = contact_sheet(
                            [s for s in shots if s.size == size and s.lang == lang],
                            out / f"sheet-{size}-{lang}.png",
                            f"Sans peur · {lang} · {size} ({width}x{height})",
                        )
                        if sheet:
                            self.stdout.write(f"{sheet}")
                    context.close()
                browser.close()
        finally:
            if server is not None:
                server.shutdown()
        problems = [s for s in shots if s.duplicate_ids or s.status >= 400]
        (out / "problems.txt").write_text(
            "".join(
                f"{s.lang} {s.size} {s.name} {s.path}: HTTP {s.status}"
                + (f", duplicate ids: {', '.join(s.duplicate_ids)}" if s.duplicate_ids else "")
                + "\n"
                for s in problems
            ),
            encoding="utf-8",
        )
        index = write_index(shots, out, left_out)
        self.stdout.write(
            self.style.SUCCESS(f"{sum(1 for s in shots if s.file)} screenshots, {len(problems)} with problems: {index}")
        )

    def _shoot(self, page, base_url, name, path, size, lang, folder) -> Shot:
        from playwright.sync_api import Error as PlaywrightError

        shot = Shot(name=name, path=path, size=size, lang=lang)
        try:
            response = page.goto(base_url + path)
        except PlaywrightError:  # a download (CSV, PDF) or a page that answers only a POST: not a page
            return shot
        shot.status = response.status if response else 0
        content_type = (response.headers.get("content-type", "") if response else "").split(";")[0]
        if content_type != "text/html":
            return shot
        page.wait_for_load_state("load")
        shot.duplicate_ids = tuple(page.evaluate(DUPLICATE_IDS_JS))
        shot.file = folder / (name.replace(":", "--") + ".png")
        height = page.evaluate("document.documentElement.scrollHeight")
        clip = None
        if height > MAX_SHOT_HEIGHT:
            clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": MAX_SHOT_HEIGHT}
        page.screenshot(path=str(shot.file), full_page=True, clip=clip)
        return shot
