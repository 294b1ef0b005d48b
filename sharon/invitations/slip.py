"""The printable invitation slip: the join link as a QR code, drawn on the server.

The QR code is made here (segno, pure Python) rather than by an outside service or in
the browser, so the code never leaves SHaRON and the page needs no JavaScript.
"""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(link: str) -> Markup:
    """The link as an inline SVG QR code, black on white with its quiet zone, sized by
    the stylesheet. Medium error correction survives a crease or a coffee ring."""
    qr = segno.make(link, error="m", micro=False)
    svg = qr.svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=True,
                        svgclass="slip-qr", lineclass=None,
                        title="QR code that opens the SHaRON join page with this code")
    # segno writes only what it is given, so this is safe to place in the page as it is.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704
