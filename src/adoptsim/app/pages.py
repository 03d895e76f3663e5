"""The Solara app's frame and its pages (start it with ``adoptsim app``).

:func:`Layout` owns the browser session's state (:mod:`.session`) and the
app bar; each page lives in its own module (:mod:`.explore`,
:mod:`.compare`, :mod:`.about`) and is listed once in :data:`NAV` and
:data:`routes`. This is the module Solara serves.

Plain Solara with matplotlib frames rather than Mesa's ``SolaraViz``, which
cannot load a whole scenario file as a preset, has one page and no
downloads, and draws spaces with a CDN-loaded chart library (docs/app.md).

Examples
--------
>>> [route.path for route in routes]
['/', 'compare', 'about', 'docs']
"""

# No `from __future__ import annotations`: Solara reads the components' annotations.
import solara

from .about import About, Docs
from .compare import Compare
from .explore import Explore
from .session import SessionContext, use_new_session
from .widgets import APP_CSS

NAV = (("Explore", "/", "mdi-play-circle-outline"), ("Compare", "/compare", "mdi-compare"),
       ("About", "/about", "mdi-information-outline"))


@solara.component
def Navigation() -> None:
    """The app bar's page links (a portal: it renders into the app bar)."""
    with solara.AppBar():
        for label, path, icon in NAV:
            with solara.Link(path):
                solara.Button(label, icon_name=icon, text=True, dark=True,
                              classes=[f"nav-{label.lower()}"])


@solara.component
def Layout(children: list | None = None) -> solara.Element:
    """The frame around every page; owns the session's state."""
    session = use_new_session()
    solara.provide_context(SessionContext, session)
    main = solara.Column(children=[solara.Style(APP_CSS), Navigation(), *(children or [])],
                         gap="0px")
    return solara.AppLayout(children=[main], navigation=False, color="#0b3d5c")



# The labels are the page titles (app bar and browser tab).
routes = [
    solara.Route(path="/", component=Explore, label="adoptsim · Explore", layout=Layout),
    solara.Route(path="compare", component=Compare, label="adoptsim · Compare"),
    solara.Route(path="about", component=About, label="adoptsim · About"),
    solara.Route(path="docs", component=Docs, label="adoptsim · Model documentation"),
]

