"""QR codes of sign-in links (segno): blocks of text for a terminal, SVG for a page."""

from __future__ import annotations

import io

import segno


def for_terminal(text: str) -> str:
    """Unicode half blocks, two rows of modules per line, light modules drawn: made for
    a terminal with a dark background, and phone cameras read the inverse as well."""
    out = io.StringIO()
    segno.make(text).terminal(out=out, compact=True)
    return out.getvalue()


def as_svg(text: str, title: str) -> str:
    """A standalone <svg> (with its namespace, so that a page can parse it on its own),
    scaled by its viewBox, dark modules on white: no script, no style attribute."""
    out = io.BytesIO()
    segno.make(text).save(out, kind="svg", xmldecl=False, svgns=True, nl=False,
                          omitsize=True, light="#fff", title=title)
    return out.getvalue().decode()
