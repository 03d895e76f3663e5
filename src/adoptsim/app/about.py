"""The About page (in the shape of NetLogo's Info tab) and the docs it links to.

Examples
--------
>>> docs_path("odd.md").name
'odd.md'
"""

# No `from __future__ import annotations`: Solara casts URL parts with the
# page components' real annotations (Docs(name: str)).
from pathlib import Path

import solara

from .widgets import Prose

#: Route name (``/docs/<name>``) → (link title, file in the project's ``docs/`` folder).
DOCS = {
    "odd": ("The model in detail (docs/odd.md)", "odd.md"),
    "classic": ("Classic diffusion models (docs/classic.md)", "classic.md"),
}


def docs_path(filename: str) -> Path | None:
    """A file of the project's ``docs/`` folder: the source tree's, else ``./docs``."""
    for folder in (Path(__file__).resolve().parents[3] / "docs", Path.cwd() / "docs"):
        if (folder / filename).is_file():
            return folder / filename
    return None


ABOUT = """
## What is it?

A model of an organisation meeting a new internal social channel (a company
social network, a community platform, a chat space). Employees hear about the
channel, join it, read it, sometimes write on it, and sometimes move to an
unofficial *underground* back-channel. One or more internal-communications
managers are on the channel too: they talk with people, follow and get
followed, and earn or lose trust.

It asks the questions practitioners argue about: should comms **get in early**
and network hard, or wait? Does **targeting** hubs, bridges or enthusiasts
beat talking to anyone? Does **monitoring** without engagement chill the
conversation? Does a **tone learned by trial and review** beat a fixed
corporate tone? What happens when a grassroots channel is **moderated,
restricted or shut down**: does the talk go underground, and is the benefit
of a large conversation lost? Does **fear** of saying the wrong thing keep
people silent?

## How it works

One step is one week. The organisation is a network: teams of eight are
tightly knit, team leads tie to their department head, heads know each other,
and everyone has a few ties across teams, most of them inside their own
department. Every week, in this order:

1. A channel policy may switch on (open, moderated, restricted, shut down).
2. Comms managers join when their week comes.
3. People **hear** of the channel from outside, from comms, and from
   colleagues who are members or active.
4. Aware people **join**, more readily when enthusiastic and when colleagues
   are on it; a manager's invitation helps, friction hinders.
5. New members **follow** a few others, mostly the already well-followed, so
   early joiners end up central.
6. Members **post** or stay silent: colleagues' activity, enthusiasm and
   trust in comms make posting likelier, fear makes it rarer. Most members
   lurk, and a few people write most posts.
7. The fearful and enthusiastic may open an **underground** channel: nobody
   watches it, but it only reaches one's own underground colleagues.
8. Policing sanctions some posts, which frightens the poster and their
   colleagues. Fear relaxes towards a level set by policing, by monitoring
   without trust, and by how many colleagues are active.
9. Managers **engage** a fixed number of people a week, chosen by their
   strategy when they can see who matters (monitoring coverage) and at random
   otherwise. An interaction goes well more often when the tone is right and
   trust is high; trust is won slowly and lost fast.
10. Every few weeks a learning manager **reviews** how its interactions went
    and nudges its tone, reversing when things got worse.
11. **Trust** spreads between colleagues; **benefit** is conversation times
    scale: the official channel's value grows with its membership, the
    underground's cannot.

## How to use it

- **Explore**: pick a *preset* (a shipped scenario), press **Step** to move
  one week or **Play** to run. Change levers in the sidebar and press
  **Reset** to start again with them; the *seed* fixes the random draws, so
  the same seed and levers always give the same run. The network view shows
  the organisation by department (grid) and team (clusters), each employee
  coloured by state; stars are comms managers.
- **Compare**: choose scenario A and B (a preset plus optional lever
  changes), press **Run both**. Both run 20 replications on the same 20
  seeds, so the difference is what you changed; the curves are medians with
  90% bands, and B − A comes with its 95% interval. One run is one possible
  history: do not teach from one.
- **Downloads**: the time series as CSV and every chart as PNG, for reports
  and slides.
- **A room of teams**: `adoptsim workshop` hosts a game in which each team
  plays the comms manager of its own copy of the same organisation, round
  by round (the workshop guide in `docs/workshop/`).

## Things to notice

- Adoption follows an S-curve: slow while few know, fast once colleagues
  talk about it, slowing as the unconvinced remain.
- Most members are lurkers. Is that a failure, or how every community looks?
- Watch the stars: a manager who joins early gathers followers that a late
  joiner never catches up with.
- After a restriction or a shutdown, watch the orange (underground) dots
  appear in clusters: the back-channel grows where fearful colleagues sit
  together, and benefit drops even when people keep talking.
- Trust moves slowly and falls faster than it rises.

## Things to try

- Move the manager's join week from 0 to 26 to 52. How much following and
  trust does waiting cost?
- Set monitoring to 1 with effort 0 (listening without engaging), then give
  the manager effort again.
- Switch off tone learning: a fixed corporate tone against try, review,
  repeat.
- Compare the targeting strategies: random, hubs (degree), bridges,
  champions.
- Raise baseline fear and see whether engagement can still win people over.
- Compare the same scenario at 200 and 20,000 employees.

## Extending the model

- Several channels competing, or a channel that only some departments get.
- Managers who change strategy when it fails, or who coordinate with each
  other.
- Content, not only volume: topics, questions and answers, sentiment.
- Real organisation charts: load an edge list (`organisation.generator =
  "edgelist"`) instead of the generated network.
- Calibrate the parameters to a real rollout's adoption and posting data.

## Read more

- *The model in detail* (`docs/odd.md`): the full specification in the ODD
  protocol (Overview, Design concepts, Details), with every parameter.
- *Classic diffusion models* (`docs/classic.md`): the textbook models behind
  the submodels (the Bass curve, threshold cascades and others), each run on
  its own and checked against its published result.
"""


@solara.component
def About() -> None:
    """The model in the shape of NetLogo's Info tab."""
    with solara.Column(style={"max-width": "56rem", "padding": "4px 16px 48px"}):
        Prose(ABOUT)
        with solara.Row(style={"flex-wrap": "wrap"}):
            for name, (title, _) in DOCS.items():
                with solara.Link(f"/docs/{name}"):
                    solara.Button(title, icon_name="mdi-book-open-variant", outlined=True,
                                  color="primary", style={"text-transform": "none"})


@solara.component
def Docs(name: str = "odd") -> None:
    """A document of the project's ``docs/`` folder, rendered."""
    with solara.Column(style={"max-width": "60rem", "padding": "4px 16px 48px"}):
        with solara.Link("/about"):
            solara.Button("Back to About", icon_name="mdi-arrow-left", text=True)
        path = docs_path(DOCS[name][1]) if name in DOCS else None
        if path is None:
            solara.Warning(f"There is no docs/{name}.md in this installation; read it in the "
                           "adoptsim source repository.")
            return
        Prose(path.read_text(encoding="utf-8"), classes=["docs-page"])


