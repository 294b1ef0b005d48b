"""Press a button as a browser without JavaScript would: find the form it submits (its
`form` attribute, else the form around it), where to (its `formaction`, else the form's
`action`), and every field of that form, wherever it is on the page."""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    owner: str | None  # the id of the form it belongs to
    text: str = ""

    def __getitem__(self, name: str) -> str:
        return self.attrs.get(name) or ""


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict[str, str]] = {}
        self.controls: list[Control] = []
        self._form: str | None = None
        self._open: list[Control] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: html_lib.unescape(v or "") for k, v in attrs}
        if tag == "form":
            self._form = values.get("id") or f"form-{len(self.forms)}"
            assert self._form not in self.forms, f"two forms with id {self._form}"
            self.forms[self._form] = values
        elif tag in ("input", "button", "textarea", "select"):
            control = Control(tag, values, values.get("form") or self._form)
            self.controls.append(control)
            if tag in ("button", "textarea"):
                self._open.append(control)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag in ("button", "textarea") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for control in self._open:
            control.text += data


def read(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    return parsed


def press(page: str, button: Callable[[Control], bool],
          fill: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """(URL, fields) that pressing the one button `button` picks sends, after typing
    `fill` into the fields of its form."""
    parsed = read(page)
    [pressed] = [c for c in parsed.controls if c.tag == "button" and button(c)]
    assert pressed.owner in parsed.forms, f"the button submits no form: {pressed.attrs}"
    form = parsed.forms[pressed.owner]
    assert (pressed["formmethod"] or form.get("method", "get")).lower() == "post"
    data: dict[str, str] = {}
    for control in parsed.controls:
        name = control["name"]
        if control.owner != pressed.owner or not name or control.tag == "button":
            continue
        data[name] = control.text if control.tag == "textarea" else control["value"]
    for name, value in (fill or {}).items():
        assert name in data, f"the form has no field {name}"
        data[name] = value
    if pressed["name"]:
        data[pressed["name"]] = pressed["value"]
    return pressed["formaction"] or form["action"], data
