"""Help on every control (the schema's text, on hover and focus, and for screen readers)
and the "What am I looking at?" guide."""

from engine.diagnostics import MEASURES
from server.schema import make_fields
from server.settings import Limits

from .conftest import shot

FIELDS = make_fields(Limits())


def test_every_control_carries_its_fields_help(open_page):
    page = open_page()
    shown = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.control[data-help]')]
              .map((w) => [w.querySelector('[id^=field-]')?.id ?? w.querySelector('label')?.htmlFor, w.dataset.help]))"""
    )
    placed = page.evaluate("() => [...document.querySelectorAll('[id^=field-]')].map((e) => e.id)")
    assert placed, "no controls on the page"
    wanted = {f"field-{f.name}": f.help for f in FIELDS}
    for control in placed:
        assert shown.get(control) == wanted[control], control
    assert all(f.help and f.help.endswith(".") for f in FIELDS)


def test_focus_shows_the_help_and_screen_readers_get_it(open_page):
    page = open_page()
    help_ = next(f.help for f in FIELDS if f.name == "learning_rate")
    page.focus("#field-learning_rate")
    page.wait_for_selector("#help-bubble:not([hidden])")
    assert page.inner_text("#help-bubble") == help_
    assert page.get_attribute("#field-learning_rate", "aria-description") == help_
    page.hover("#btn-reset")
    page.wait_for_function("() => document.querySelector('#help-bubble').textContent.startsWith('Start over')")
    shot(page, "help-bubble")


def test_the_guide_opens_with_a_key_lists_the_measures_and_closes(open_page):
    page = open_page()
    page.keyboard.press("?")
    page.wait_for_selector("#guide:not([hidden])")
    text = page.inner_text("#guide")
    for words in ("Gradient health", "log₁₀", "P(blue)", "R²", "white rim", "before clipping"):
        assert words in text, words
    for m in MEASURES:  # hello.diagnostics: the measures' own names and meanings
        assert m["label"] in text and m["help"] in text, m["name"]
    shot(page, "help-guide")
    page.keyboard.press("Escape")
    page.wait_for_selector("#guide", state="hidden")
