"""Components every page uses: prose, downloads and the lever controls.

Examples
--------
>>> "now-tiles" in APP_CSS
True
"""

# No `from __future__ import annotations`: Solara reads the components' annotations.
from collections.abc import Callable
from typing import Any

import markdown
import solara

from .levers import LEVERS, Lever, lever_options

#: Styles for :func:`Prose` (Markdown rendered to HTML) and :func:`NowTiles`.
APP_CSS = """
.md-text h2 { font-weight: 500; margin: 20px 0 8px; }
.md-text p, .md-text li { line-height: 1.55; }
.md-text strong { font-weight: 700; }
.md-text table { border-collapse: collapse; margin: 8px 0 16px; }
.md-text th, .md-text td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left;
                           vertical-align: top; }
.md-text code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
.md-text pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
.now-tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 4px 0 8px; }
.now-tile { border: 1px solid #d8dee4; border-radius: 6px; padding: 6px 10px;
            background: #f8fafc; }
.now-tile b { display: block; font-size: 1.35rem; font-weight: 600; }
.now-tile span { color: #555; font-size: 0.85rem; }
"""


@solara.component
def Prose(text: str, classes: list[str] | None = None) -> None:
    """Markdown rendered on the server to plain HTML.

    Not ``solara.Markdown``: that one fetches KaTeX and Mermaid through the
    CDN proxy whenever it is shown, i.e. the server reaches for the internet,
    which a workshop room may not have.
    """
    html = solara.use_memo(
        lambda: markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists", "toc"]),
        [text],
    )
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=["md-text", *(classes or [])])



@solara.component
def LeverInput(lever: Lever, value: Any, on_value: Callable[[Any], None]) -> None:
    """One lever as a slider, drop-down or switch."""
    with solara.Div(classes=[f"lever-{lever.key.replace('.', '-').replace('_', '-')}"]):
        if lever.kind == "switch":
            solara.Switch(label=lever.label, value=bool(value), on_value=on_value)
        elif lever.kind == "choice":
            solara.Select(label=lever.label, value=value, values=lever_options(lever, value),
                          on_value=on_value)
        elif lever.kind == "int":
            solara.Text(f"{lever.label}: {value}", classes=["lever-label"])
            solara.SliderInt("", value=int(value), min=int(lever.low),
                             max=max(int(lever.high), int(value)), step=int(lever.step),
                             on_value=on_value)
        else:
            solara.Text(f"{lever.label}: {value:.2f}", classes=["lever-label"])
            solara.SliderFloat("", value=float(value), min=lever.low,
                               max=max(lever.high, float(value)), step=lever.step,
                               on_value=on_value)


@solara.component
def LeverPanel(values: dict[str, Any], on_values: Callable[[dict], None]) -> None:
    """All levers; each change calls ``on_values`` with the whole updated dict."""
    group = None
    for lever in LEVERS:
        if lever.group != group:
            group = lever.group
            solara.Text(group, classes=["lever-group"],
                        style={"font-weight": "bold", "margin-top": "10px"})
        LeverInput(lever, values[lever.key],
                   lambda v, key=lever.key: on_values({**values, key: v}))



@solara.component
def Download(data: Callable[[], str | bytes], filename: str, label: str, mime_type: str
             ) -> None:
    """A small download button; ``data`` is only called when clicked."""
    solara.FileDownload(data, filename=filename, mime_type=mime_type, children=[
        solara.Button(label, icon_name="mdi-download", text=True, color="primary",
                      classes=["download-button"], style={"text-transform": "none"}),
    ])

