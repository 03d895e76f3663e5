"""The options, checks and output that the ``adoptsim classic`` commands share.

Examples
--------
>>> parse_floats("0, 0.5,1", "--rewire")
[0.0, 0.5, 1.0]
>>> clean({"x": np.float64(0.5), "y": [float("nan")]})
{'x': 0.5, 'y': [None]}
"""

from __future__ import annotations

import functools
import inspect
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ..errors import InputError
from ..memory import format_bytes, require_memory
from ._graph import check_number, check_positive_int

if TYPE_CHECKING:
    from ..network import Network

# Plain console: values from the command line are printed literally, never as markup.
console = Console(markup=False, emoji=False, highlight=False)

GENERATORS = (
    "org", "erdos_renyi", "watts_strogatz", "barabasi_albert", "ring_lattice", "complete",
    "edgelist",
)

# Options shared by the commands (each command sets its own defaults).
Generator = Annotated[
    str | None, typer.Option(help=f"Network generator: {', '.join(GENERATORS)}.")
]
Employees = Annotated[int, typer.Option(help="Number of nodes.")]
MeanDegree = Annotated[float, typer.Option(help="Mean degree (erdos_renyi, watts_strogatz, ...).")]
Rewire = Annotated[float, typer.Option(help="Rewiring probability (watts_strogatz).")]
Edges = Annotated[
    str | None,
    typer.Option(help="Edge list CSV/TSV (source,target); implies --generator edgelist."),
]
Seed = Annotated[int, typer.Option(help="Master seed: the same seed gives the same output.")]
Trials = Annotated[int, typer.Option(help="Independent repetitions.")]
Seeds = Annotated[
    str | None, typer.Option(help="Explicit seed nodes, comma separated, e.g. 1,5,9.")
]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Samples = Annotated[int, typer.Option(help="Live-edge samples (common random numbers).")]
K = Annotated[int, typer.Option("--k", help="Number of seed nodes to choose.")]



# Memory estimates, from the peak resident memory of the commands at 20,000 and
# 120,000 employees (and of each network generator at 400,000), rounded up.
#: Building a network: bytes per employee plus bytes per tie end (mean degree).
NETWORK_NODE_BYTES, NETWORK_TIE_END_BYTES = 40, 36
#: Mean degree of the "org" generator (its size does not follow --mean-degree).
ORG_DEGREE = 12
#: Per-employee arrays of a model run on a network (states, thresholds, queues).
MODEL_NODE_BYTES = 64
#: Friedkin-Johnsen's closed form: the sparse LU factors fill in to about
#: half a dense n x n matrix (measured 3.4 n**2 bytes at 10,000 employees).
FJ_FILL_BYTES = 4


def require_memory_for(
    command: str,
    employees: int,
    per_employee: float,
    extra: float = 0.0,
    extra_for: str = "",
    hint: str = "",
) -> None:
    """Refuse, before allocating, a command whose estimated peak memory is not available.

    The estimate is ``employees * per_employee + extra`` bytes; ``extra_for``
    says what the extra memory holds and ``hint`` which options lower it.
    """
    plus = f", plus {format_bytes(extra)} for {extra_for}" if extra_for else ""
    require_memory(
        employees * per_employee + extra,
        f"adoptsim classic {command} with --employees {employees:,} (about "
        f"{per_employee:,.0f} bytes per employee{plus})",
        f"Use a smaller --employees{hint}.",
    )


def counts(*options: tuple[str, int]) -> None:
    """Check whole-number options, given as (option, value) pairs, are at least 1."""
    for option, value in options:
        check_positive_int(option, value)


def rngs(seed: int, count: int) -> list[np.random.Generator]:
    """Independent generators for the network and the model, from one master seed."""
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer; got {seed}.")
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def network(
    generator: str | None,
    default: str,
    employees: int,
    mean_degree: float,
    rewire: float,
    edges: str | None,
    rng: np.random.Generator,
    *,
    command: str,
    node_bytes: float = MODEL_NODE_BYTES,
    tie_end_bytes: float = 0.0,
    extra_bytes: float = 0.0,
    extra_for: str = "",
    hint: str = "",
    allow_complete: bool = False,
) -> Network:
    """Build the network the options ask for, after checking them and the memory it needs.

    ``node_bytes`` and ``tie_end_bytes`` are the model's own memory per
    employee and per tie end; with the network's they give the bytes per
    employee of :func:`require_memory_for` (``extra_bytes``, ``extra_for`` and
    ``hint`` are passed on). An edge list is not estimated: its reader checks
    its own size.
    """
    from .. import network as nw

    generator = generator or ("edgelist" if edges else default)
    if generator not in GENERATORS:
        raise InputError(f"--generator must be one of {', '.join(GENERATORS)}; got {generator!r}.")
    if generator == "complete" and not allow_complete:
        raise InputError(
            "this model follows ties and 'complete' stores none; use e.g. --generator "
            "erdos_renyi with a large --mean-degree for a dense network."
        )
    if generator == "edgelist":
        if not edges:
            raise InputError("--generator edgelist needs --edges PATH (a CSV/TSV edge list).")
        return nw.load_edgelist(edges)
    check_positive_int("--employees", employees)
    check_number("--mean-degree", mean_degree, 0.0)
    check_number("--rewire", rewire, 0.0, 1.0)
    degree = {"org": ORG_DEGREE, "complete": 0.0}.get(generator, mean_degree)
    network = 0.0 if generator == "complete" else (
        NETWORK_NODE_BYTES + NETWORK_TIE_END_BYTES * degree
    )
    per_employee = network + node_bytes + tie_end_bytes * degree
    require_memory_for(command, employees, per_employee, extra_bytes, extra_for, hint)
    builders = {
        "org": lambda: nw.org_network(employees, rng=rng),
        "erdos_renyi": lambda: nw.erdos_renyi(employees, mean_degree, rng),
        "watts_strogatz": lambda: nw.watts_strogatz(employees, mean_degree, rewire, rng),
        "barabasi_albert": lambda: nw.barabasi_albert(employees, mean_degree, rng),
        "ring_lattice": lambda: nw.ring_lattice(employees, mean_degree),
        "complete": lambda: nw.complete_network(employees),
    }
    try:
        return builders[generator]()
    except ValueError as exc:  # the generators reject bad sizes with ValueError
        raise InputError(f"cannot build the {generator} network: {exc}") from exc


def parse_seeds(seeds: str | None) -> list[int] | None:
    if seeds is None:
        return None
    try:
        return [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError as exc:
        raise InputError(
            f"--seeds must be comma-separated node numbers, e.g. 1,5,9; got {seeds!r}."
        ) from exc


def parse_floats(text: str, option: str) -> list[float]:
    try:
        values = [float(s) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise InputError(f"{option} must be comma-separated numbers; got {text!r}.") from exc
    if not values:
        raise InputError(f"{option} needs at least one number.")
    return values


def clean(value: Any) -> Any:
    """JSON-ready copy: numpy scalars and arrays become Python numbers and lists, nan null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "—" if not math.isfinite(value) else f"{value:.4g}"
    if isinstance(value, list | tuple | np.ndarray):
        shown = ", ".join(fmt(v) for v in list(value)[:10])
        return shown + (", …" if len(value) > 10 else "")
    return str(value)


def emit(
    title: str,
    summary: dict[str, Any],
    as_json: bool,
    rows: list[dict[str, Any]] | None = None,
) -> None:
    """Print the summary (and an optional table of rows) as rich tables or as JSON."""
    if as_json:
        payload = {"model": title, **summary}
        if rows is not None:
            payload["rows"] = rows
        typer.echo(json.dumps(clean(payload), indent=2))
        return
    table = Table(title=title, show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), fmt(value))
    console.print(table)
    if rows:
        detail = Table()
        for key in rows[0]:
            detail.add_column(key.replace("_", " "), justify="right")
        for row in rows:
            detail.add_row(*(fmt(v) for v in row.values()))
        console.print(detail)


def graph_summary(net: Network) -> dict[str, Any]:
    return {"nodes": net.n, "ties": net.n_edges, "mean_degree": float(net.degree.mean())}




@dataclass(frozen=True)
class GraphOptions:
    """A command's network options (``--generator``, ``--employees``, ...); see graph_options."""

    default: str
    generator: str | None
    employees: int
    mean_degree: float
    rewire: float
    edges: str | None

    def build(self, rng: np.random.Generator, **memory: Any) -> Network:
        """The network they ask for, checked as :func:`network` checks it."""
        return network(self.generator, self.default, self.employees, self.mean_degree,
                       self.rewire, self.edges, rng, **memory)


def graph_options(default: str, employees: int, mean_degree: float) -> Callable:
    """Give a command the network options, with these defaults, as ``graph: GraphOptions``.

    The command's own parameters stay as written; ``--generator`` (default
    ``default``, or ``edgelist`` with ``--edges``), ``--employees``,
    ``--mean-degree``, ``--rewire`` and ``--edges`` take the place of its
    ``graph`` parameter in the command line.
    """
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value, annotation=kind)
        for name, value, kind in (
            ("generator", None, Generator), ("employees", employees, Employees),
            ("mean_degree", mean_degree, MeanDegree), ("rewire", 0.1, Rewire),
            ("edges", None, Edges),
        )
    ]

    def decorate(command: Callable) -> Callable:
        own = inspect.signature(command, eval_str=True).parameters.values()
        params = []
        for p in own:
            params += added if p.name == "graph" else [p.replace(kind=p.KEYWORD_ONLY)]

        @functools.wraps(command)
        def with_graph(**options: Any) -> Any:
            chosen = {p.name: options.pop(p.name) for p in added}
            return command(graph=GraphOptions(default, **chosen), **options)

        with_graph.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        with_graph.__annotations__ = {p.name: p.annotation for p in params}
        return with_graph

    return decorate
