"""The design system in Chromium: the home page's first task above the fold on a phone in every
language, a focus indicator of at least 3:1 against the background behind every focusable element,
axe-core with no violation (and no duplicate id) on the pages of the core app, the favicon and mark."""

import io

import pytest
from django.conf import settings

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# For the focused element: the colours of its ring (outline, then each box-shadow) and the colour of
# the first opaque background behind it (its parent's and up: the element's own background is the
# yellow of a focused link, which is part of the indicator).
FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const colours = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) colours.push(style.outlineColor);
  for (const m of (style.boxShadow || '').matchAll(/rgba?\\([^)]*\\)/g)) colours.push(m[0]);
  let node = el.parentElement, background = 'rgb(255, 255, 255)';
  while (node) {
    const b = getComputedStyle(node).backgroundColor;
    if (b && b !== 'transparent' && !b.endsWith(', 0)')) { background = b; break; }
    node = node.parentElement;
  }
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 40), colours, background};
}"""


def _rgb(text):
    values = [float(v) for v in text[text.index("(") + 1 : text.index(")")].split(",")[:3]]
    return values


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_helper():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(255, 191, 71)", "rgb(255, 255, 255)") < 3  # the old ring on white


@pytest.mark.parametrize("lang", [code for code, _name in settings.LANGUAGES])
def test_first_task_is_above_the_fold_on_a_phone(browser, live_server, lang):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/{lang}/")
        first = page.locator("main a").first
        assert "task-link" in first.get_attribute("class")
        box = first.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"{lang}: first task ends at {box['y'] + box['height']}"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        if lang in ("fr", "ar"):
            screenshot(page, f"home-phone-{lang}")
    finally:
        context.close()


def _focus_ring_contrasts(page, limit=80):
    seen = []
    page.locator("body").click(position={"x": 1, "y": 1})
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_JS)
        if info["tag"] == "BODY":
            break
        best = max((contrast(c, info["background"]) for c in info["colours"]), default=0)
        seen.append((info["tag"], info["text"], info["background"], round(best, 2)))
    return seen


@pytest.mark.parametrize("path", ["/fr/", "/ar/get-a-card/", "/fr/directory/"])
def test_focus_indicator_contrast_on_every_background(page, path):
    page.goto(page.base_url + path)
    seen = _focus_ring_contrasts(page)
    assert len(seen) > 10
    backgrounds = {background for _tag, _text, background, _c in seen}
    assert len(backgrounds) >= 2  # the header's blue and the page's white (and the footer's band)
    weak = [item for item in seen if item[3] < 3]
    assert not weak, weak


def test_focus_indicator_on_staff_pages(page, make_staff):
    from tests.directory.test_translation_browser import sign_in

    sign_in(page, make_staff("gallery.admin", ["administrator"]))
    seen = _focus_ring_contrasts(page, limit=30)
    weak = [item for item in seen if item[3] < 3]
    assert seen and not weak, weak


def test_core_pages_pass_axe_with_no_duplicate_id(page, axe_check):
    from sanspeur.clinics import demo

    demo.load(stdout=io.StringIO(), print_logins=False)
    for lang in ("fr", "ar"):
        for path in ("", "get-a-card/", "our-promise/"):
            page.goto(f"{page.base_url}/{lang}/{path}")
            axe_check(page, f"{lang}/{path}")
        screenshot(page, f"promise-{lang}")
    page.goto(page.base_url + "/ar/get-a-card/")
    screenshot(page, "get-a-card-ar")
    page.set_viewport_size(PHONE)
    screenshot(page, "get-a-card-phone-ar")
    page.goto(page.base_url + "/fr/get-a-card/")
    screenshot(page, "get-a-card-phone-fr")


def test_favicon_and_brand_mark(page):
    page.goto(page.base_url + "/fr/")
    for selector in (
        "link[rel=icon][type='image/svg+xml']",
        "link[rel=icon][href$='.ico']",
        "link[rel=apple-touch-icon]",
    ):
        href = page.locator(selector).get_attribute("href")
        assert page.request.get(page.base_url + href).status == 200, href
    mark = page.locator(".brand img.brand-mark")
    assert mark.get_attribute("alt") == ""  # the link's text names it
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", mark.element_handle())


def test_axe_helper_refuses_duplicate_ids(page, axe_check):
    page.goto(page.base_url + "/fr/our-promise/")
    axe_check(page, "promise")  # no duplicate: passes
    page.evaluate(
        """() => { const a = document.createElement('p'); a.id = 'twice'; const b = a.cloneNode();
        document.querySelector('main').append(a, b); }"""
    )
    with pytest.raises(AssertionError, match="duplicate id attributes.*twice"):
        axe_check(page, "promise with a repeated id")


def test_the_character_count_follows_the_typing_and_counts_line_breaks_as_the_server_does(page, axe_check):
    """The report's text box in Creole: the allowed count without typing, what is left as one types
    (a line break counts twice, as submitted), the over state, and a spoken message after a pause."""
    page.goto(page.base_url + "/ht/protection/report/")
    box = page.locator("[data-character-count]")
    message = box.locator(".character-count__message")
    assert message.inner_text() == "Kantite karaktè ki pèmèt: 10000"
    field = box.locator("textarea")
    assert message.get_attribute("id") in field.get_attribute("aria-describedby").split()
    field.fill("Bonjou\nmwen")
    assert message.inner_text() == f"Karaktè ki rete: {10000 - len('Bonjou') - 2 - len('mwen')}"
    spoken = box.locator("[aria-live=polite]")
    page.wait_for_function("(el) => el.textContent.length > 0", arg=spoken.element_handle(), timeout=5000)
    assert spoken.inner_text() == message.inner_text()
    # Over the server's limit (the browser's maxlength counts a line break once): said and marked.
    field.evaluate("(el) => { el.removeAttribute('maxlength'); }")
    field.fill("a" * 9999 + "\n")
    assert message.inner_text() == "Karaktè ki depase limit la: 1"
    assert "character-count__message--over" in message.get_attribute("class")
    axe_check(page, "character count (ht)")
