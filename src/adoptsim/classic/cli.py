"""``adoptsim classic MODEL``: run a classic diffusion model from the command line.

Register the sub-command group on the main app with :func:`register`. Each
model prints a table by default and machine-readable JSON with ``--json``.
Bad input raises :class:`~adoptsim.errors.InputError` naming the option (the
main command prints it as one paragraph and exits with status 2): counts
below their minimum, numbers that are nan, infinite or out of range, and
sizes whose estimated memory exceeds what the machine has available, which
are refused before anything is allocated. The models and networks are
imported inside the commands, so registering costs no numba start-up.
"""

from __future__ import annotations

import json
import math
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

classic_app = typer.Typer(
    name="classic",
    help="Classic diffusion models: Bass, Granovetter, Watts, SIR/SIS, IC/LT with CELF, "
    "DeGroot, Friedkin-Johnsen, Deffuant, Centola-Macy.",
)
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


def register(app: typer.Typer) -> None:
    """Add the ``classic`` sub-command group to the main ``adoptsim`` app."""
    app.add_typer(classic_app, name="classic")


# ---------------------------------------------------------------------------
# helpers

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


def _require_memory(
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


def _counts(*options: tuple[str, int]) -> None:
    """Check whole-number options, given as (option, value) pairs, are at least 1."""
    for option, value in options:
        check_positive_int(option, value)


def _rngs(seed: int, count: int) -> list[np.random.Generator]:
    """Independent generators for the network and the model, from one master seed."""
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer; got {seed}.")
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def _network(
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
    employee of :func:`_require_memory` (``extra_bytes``, ``extra_for`` and
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
    _require_memory(command, employees, per_employee, extra_bytes, extra_for, hint)
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


def _parse_seeds(seeds: str | None) -> list[int] | None:
    if seeds is None:
        return None
    try:
        return [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError as exc:
        raise InputError(
            f"--seeds must be comma-separated node numbers, e.g. 1,5,9; got {seeds!r}."
        ) from exc


def _parse_floats(text: str, option: str) -> list[float]:
    try:
        values = [float(s) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise InputError(f"{option} must be comma-separated numbers; got {text!r}.") from exc
    if not values:
        raise InputError(f"{option} needs at least one number.")
    return values


def _clean(value: Any) -> Any:
    """JSON-ready copy: numpy scalars and arrays become Python numbers and lists, nan null."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "—" if not math.isfinite(value) else f"{value:.4g}"
    if isinstance(value, list | tuple | np.ndarray):
        shown = ", ".join(_fmt(v) for v in list(value)[:10])
        return shown + (", …" if len(value) > 10 else "")
    return str(value)


def _emit(
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
        typer.echo(json.dumps(_clean(payload), indent=2))
        return
    table = Table(title=title, show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), _fmt(value))
    console.print(table)
    if rows:
        detail = Table()
        for key in rows[0]:
            detail.add_column(key.replace("_", " "), justify="right")
        for row in rows:
            detail.add_row(*(_fmt(v) for v in row.values()))
        console.print(detail)


def _graph_summary(net: Network) -> dict[str, Any]:
    return {"nodes": net.n, "ties": net.n_edges, "mean_degree": float(net.degree.mean())}


# ---------------------------------------------------------------------------
# commands


@classic_app.command()
def bass(
    p: Annotated[float, typer.Option(help="Coefficient of innovation.")] = 0.03,
    q: Annotated[float, typer.Option(help="Coefficient of imitation.")] = 0.38,
    employees: Employees = 10_000,
    dt: Annotated[float, typer.Option(help="Time step of the agent-based version.")] = 0.1,
    horizon: Annotated[float, typer.Option(help="Time to simulate.")] = 20.0,
    trials: Trials = 3,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Bass (1969): closed form F(t) and peak time ln(q/p)/(p+q) vs the agent-based model."""
    from .bass import bass_abm, bass_adoption, bass_peak_time

    check_number("--p", p, 0.0, low_open=True)
    check_number("--q", q, 0.0)
    check_number("--dt", dt, 0.0, low_open=True)
    check_number("--horizon", horizon, dt)
    _counts(("--employees", employees), ("--trials", trials))
    steps = round(horizon / dt)
    # Per agent: the adopted flags and a step's uniforms; per trial and step: the share.
    _require_memory("bass", employees, 24, 8 * trials * (steps + 1),
                    f"the adoption share of {steps + 1:,} steps x {trials} trial(s)",
                    ", fewer --trials, a larger --dt or a shorter --horizon")
    (rng,) = _rngs(seed, 1)
    run = bass_abm(employees, p, q, dt=dt, steps=steps, trials=trials, rng=rng)
    closed = bass_adoption(run.times, p, q)
    mean = run.adopted.mean(axis=0)
    every = max(1, round(1.0 / dt))
    rows = [
        {"t": float(t), "F_closed_form": float(c), "F_agents": float(m)}
        for t, c, m in zip(run.times[::every], closed[::every], mean[::every], strict=True)
    ]
    _emit(
        "Bass (1969)",
        {
            "p": p, "q": q, "agents": employees, "dt": dt, "trials": trials, "seed": seed,
            "peak_time_closed_form": bass_peak_time(p, q),
            "peak_time_agents": run.peak_time(),
            "max_abs_difference": float(np.abs(mean - closed).max()),
        },
        as_json,
        rows,
    )


@classic_app.command()
def granovetter(
    employees: Employees = 100,
    thresholds: Annotated[
        str | None, typer.Option(help="Explicit integer thresholds, comma separated.")
    ] = None,
    sd: Annotated[
        float | None, typer.Option(help="Draw thresholds from Normal(--mean, --sd), rounded.")
    ] = None,
    mean: Annotated[float, typer.Option(help="Mean of the normal thresholds.")] = 25.0,
    raise_one: Annotated[
        bool, typer.Option("--raise-one", help="Raise the threshold 1 to 2 (Granovetter's twist).")
    ] = False,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Granovetter (1978): thresholds 0..n-1 give a full riot; raising one threshold stops it."""
    from .collective import granovetter as run_granovetter
    from .collective import granovetter_normal_equilibrium

    check_positive_int("--employees", employees)
    check_number("--mean", mean)
    # Thresholds, draws and the history of rounds: measured 151 bytes per person.
    _require_memory("granovetter", employees, 160)
    summary: dict[str, Any] = {}
    if thresholds is not None:
        values = _parse_floats(thresholds, "--thresholds")
        if any(v != int(v) for v in values):
            raise InputError("--thresholds must be whole numbers (counts of joiners).")
        th = np.array(values, dtype=np.int64)
        source = "given"
    elif sd is not None:
        check_number("--sd", sd, 0.0, low_open=True)
        (rng,) = _rngs(seed, 1)
        th = np.maximum(np.rint(rng.normal(mean, sd, employees)), 0).astype(np.int64)
        source = f"Normal({mean}, {sd}), rounded, seed {seed}"
        summary["equilibrium_continuous"] = granovetter_normal_equilibrium(employees, mean, sd)
    else:
        th = np.arange(employees, dtype=np.int64)
        source = "uniform 0..n-1"
    if raise_one:
        th[th == 1] = 2
        source += ", threshold 1 raised to 2"
    result = run_granovetter(th)
    _emit(
        "Granovetter (1978)",
        {"people": th.size, "thresholds": source, "adopters": result.adopters,
         "rounds": result.rounds, **summary, "history": result.history.tolist()},
        as_json,
    )


@classic_app.command()
def watts(
    phi: Annotated[float, typer.Option(help="Fractional threshold φ.")] = 0.18,
    generator: Generator = None,
    employees: Employees = 10_000,
    mean_degree: MeanDegree = 3.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    trials: Trials = 100,
    seeds: Seeds = None,
    global_share: Annotated[
        float, typer.Option(help="A cascade is global when it ends above this share of nodes.")
    ] = 0.1,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Watts (2002) threshold cascades: frequency of global cascades, and the analytic window."""
    from .threshold import (
        watts_cascade,
        watts_cascade_frequency,
        watts_cascade_window,
        watts_trials,
    )

    check_number("--phi", phi, 0.0, 1.0, low_open=True)
    check_number("--global-share", global_share, 0.0, 1.0)
    check_positive_int("--trials", trials)
    g_rng, m_rng = _rngs(seed, 2)
    net = _network(generator, "erdos_renyi", employees, mean_degree, rewire, edges, g_rng,
                   command="watts")
    low, high = watts_cascade_window(phi)
    summary: dict[str, Any] = {
        "phi": phi, **_graph_summary(net), "seed": seed,
        "poisson_window_low": low, "poisson_window_high": high,
        "poisson_predicted_frequency": watts_cascade_frequency(float(net.degree.mean()), phi),
    }
    explicit = _parse_seeds(seeds)
    if explicit is not None:
        cascade = watts_cascade(net.indptr, net.indices, phi, explicit)
        summary.update(
            seeds=explicit, final_adopters=int(cascade.active.sum()), size=cascade.size,
            rounds=cascade.rounds, adopters=np.flatnonzero(cascade.active).tolist(),
        )
    else:
        res = watts_trials(
            net.indptr, net.indices, phi, trials=trials, rng=m_rng, global_share=global_share
        )
        summary.update(
            trials=trials, global_share=global_share,
            global_frequency=res.global_frequency, mean_global_size=res.mean_global_size,
            final_adopters=np.rint(res.sizes * net.n).astype(int).tolist(),
            sizes=res.sizes.tolist(),
        )
    _emit("Watts (2002) threshold cascade", summary, as_json)


@classic_app.command()
def sir(
    beta: Annotated[float, typer.Option(help="Infection probability per edge per step.")] = 0.1,
    gamma: Annotated[float, typer.Option(help="Recovery probability per step.")] = 0.2,
    generator: Generator = None,
    employees: Employees = 20_000,
    mean_degree: MeanDegree = 4.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    initial: Annotated[int, typer.Option(help="Random initially infected nodes.")] = 10,
    seeds: Seeds = None,
    trials: Trials = 5,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """SIR on a network: final sizes of large outbreaks (> 10% of nodes) vs S = 1 − exp(−zTS)."""
    from .epidemic import epidemic_threshold, er_final_size, transmissibility
    from .epidemic import sir as run_sir

    check_number("--beta", beta, 0.0, 1.0)
    check_number("--gamma", gamma, 0.0, 1.0)
    _counts(("--initial", initial), ("--trials", trials))
    g_rng, m_rng = _rngs(seed, 2)
    net = _network(generator, "erdos_renyi", employees, mean_degree, rewire, edges, g_rng,
                   command="sir")
    explicit = _parse_seeds(seeds)
    sizes = [
        run_sir(net.indptr, net.indices, beta, gamma, seeds=explicit, initial=initial,
                rng=m_rng).final_size
        for _ in range(trials)
    ]
    # The percolation prediction is for large outbreaks: those reaching over 10% of nodes.
    sizes = np.array(sizes)
    large = sizes > 0.1
    z = float(net.degree.mean())
    _emit(
        "SIR epidemic",
        {"beta": beta, "gamma": gamma, **_graph_summary(net), "seed": seed, "trials": trials,
         "transmissibility": transmissibility(beta, gamma),
         "threshold_T_c": epidemic_threshold(net.indptr),
         "final_size_poisson_theory": er_final_size(z, transmissibility(beta, gamma)),
         "large_outbreak_share": float(np.mean(large)),
         "mean_final_size_large": float(np.mean(sizes[large])) if large.any() else float("nan"),
         "final_sizes": sizes},
        as_json,
    )


@classic_app.command()
def sis(
    beta: Annotated[float, typer.Option(help="Infection probability per edge per step.")] = 0.1,
    gamma: Annotated[float, typer.Option(help="Recovery probability per step.")] = 0.2,
    generator: Generator = None,
    employees: Employees = 5_000,
    mean_degree: MeanDegree = 10.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    initial: Annotated[int, typer.Option(help="Random initially infected nodes.")] = 50,
    seeds: Seeds = None,
    steps: Annotated[int, typer.Option(help="Steps to simulate.")] = 300,
    trials: Trials = 3,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """SIS on a network: endemic above the mean-field threshold β/γ = ⟨k⟩/⟨k²⟩, dies out below."""
    from .epidemic import sis as run_sis
    from .epidemic import sis_threshold

    check_number("--beta", beta, 0.0, 1.0)
    check_number("--gamma", gamma, 0.0, 1.0)
    _counts(("--initial", initial), ("--steps", steps), ("--trials", trials))
    g_rng, m_rng = _rngs(seed, 2)
    # Each trial keeps its count of infected per step.
    net = _network(generator, "erdos_renyi", employees, mean_degree, rewire, edges, g_rng,
                   command="sis", extra_bytes=8 * trials * (steps + 1),
                   extra_for=f"the infected counts of {steps + 1:,} steps x {trials} trial(s)",
                   hint=", fewer --steps or fewer --trials")
    explicit = _parse_seeds(seeds)
    runs = [
        run_sis(net.indptr, net.indices, beta, gamma, seeds=explicit, initial=initial,
                steps=steps, rng=m_rng)
        for _ in range(trials)
    ]
    window = max(1, steps // 4)
    _emit(
        "SIS epidemic",
        {"beta": beta, "gamma": gamma, **_graph_summary(net), "seed": seed, "trials": trials,
         "steps": steps,
         "beta_over_gamma": beta / gamma if gamma > 0 else float("inf"),
         "mean_field_threshold": sis_threshold(net.indptr),
         "died_out": [int(r.infected[-1]) == 0 for r in runs],
         "prevalence_last_quarter": [r.prevalence(window) for r in runs]},
        as_json,
    )


def _influence(
    model: str, k: int, p: float, samples: int, net: Network, rng: np.random.Generator,
    seed: int, as_json: bool,
) -> None:
    from .influence import celf, degree_seeds, random_seeds, sample_live_edges, spread

    live = sample_live_edges(net.indptr, net.indices, model, p, samples, rng)
    chosen, spreads = celf(net.indptr, net.indices, k, live=live)
    baselines = {"degree": degree_seeds(net.indptr, k), "random": random_seeds(net.n, k, rng)}
    rows = [{"strategy": "celf", "spread": float(spreads[-1]), "seeds": chosen.tolist()}]
    rows += [
        {"strategy": name, "spread": spread(net.indptr, net.indices, s, live), "seeds": s.tolist()}
        for name, s in baselines.items()
    ]
    summary: dict[str, Any] = {**_graph_summary(net), "k": k, "samples": samples, "seed": seed}
    if model == "ic":
        summary["p"] = p
    summary["celf_spread_by_k"] = spreads.tolist()
    title = "Independent cascade" if model == "ic" else "Linear threshold"
    _emit(f"{title} (Kempe et al. 2003), CELF seeds", summary, as_json, rows)



@classic_app.command()
def ic(
    k: K = 5,
    p: Annotated[float, typer.Option(help="Edge activation probability.")] = 0.1,
    samples: Samples = 200,
    generator: Generator = None,
    employees: Employees = 1000,
    mean_degree: MeanDegree = 6.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Independent cascade: CELF greedy seeds vs degree and random seeds, same random numbers."""
    check_number("--p", p, 0.0, 1.0)
    _counts(("--k", k), ("--samples", samples))
    g_rng, m_rng = _rngs(seed, 2)
    # The live-edge samples: a uniform draw and a flag per sample and tie end.
    net = _network(generator, "org", employees, mean_degree, rewire, edges, g_rng,
                   command="ic", tie_end_bytes=9 * samples, hint=" or fewer --samples")
    _influence("ic", k, p, samples, net, m_rng, seed, as_json)


@classic_app.command()
def lt(
    k: K = 5,
    samples: Samples = 200,
    generator: Generator = None,
    employees: Employees = 1000,
    mean_degree: MeanDegree = 6.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Linear threshold (weights 1/k): CELF greedy seeds vs degree and random seeds."""
    _counts(("--k", k), ("--samples", samples))
    g_rng, m_rng = _rngs(seed, 2)
    # The live-edge samples: per sample, a uniform per employee and flags per tie end.
    net = _network(generator, "org", employees, mean_degree, rewire, edges, g_rng,
                   command="lt", node_bytes=MODEL_NODE_BYTES + 16 * samples,
                   tie_end_bytes=3 * samples, hint=" or fewer --samples")
    _influence("lt", k, 0.0, samples, net, m_rng, seed, as_json)


@classic_app.command()
def degroot(
    generator: Generator = None,
    employees: Employees = 1000,
    mean_degree: MeanDegree = 10.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """DeGroot averaging with W = D⁻¹(A+I): consensus at the (k+1)-weighted mean."""
    from .opinion import degroot as run_degroot
    from .opinion import degroot_limit

    g_rng, m_rng = _rngs(seed, 2)
    net = _network(generator, "org", employees, mean_degree, rewire, edges, g_rng,
                   command="degroot")
    x0 = m_rng.random(net.n)
    run = run_degroot(net.indptr, net.indices, x0)
    limit = degroot_limit(net.indptr, net.indices, x0)
    _emit(
        "DeGroot (1974)",
        {**_graph_summary(net), "seed": seed, "initial_mean": float(x0.mean()),
         "closed_form_mean": float(limit.mean()), "final_mean": float(run.opinions.mean()),
         "final_spread": float(np.ptp(run.opinions)),
         "max_abs_difference": float(np.abs(run.opinions - limit).max()),
         "steps": run.steps, "converged": run.converged},
        as_json,
    )


@classic_app.command()
def fj(
    susceptibility: Annotated[
        float, typer.Option(help="Susceptibility λ of every node (0 stubborn, 1 DeGroot).")
    ] = 0.8,
    generator: Generator = None,
    employees: Employees = 1000,
    mean_degree: MeanDegree = 10.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Friedkin-Johnsen: iteration vs the closed form (I − ΛW)⁻¹(I − Λ)x0."""
    from .opinion import friedkin_johnsen, friedkin_johnsen_limit

    check_number("--susceptibility", susceptibility, 0.0, 1.0)
    g_rng, m_rng = _rngs(seed, 2)
    net = _network(generator, "org", employees, mean_degree, rewire, edges, g_rng,
                   command="fj", extra_bytes=FJ_FILL_BYTES * float(employees) ** 2,
                   extra_for="the closed form's sparse solve, which grows as employees squared")
    x0 = m_rng.random(net.n)
    run = friedkin_johnsen(net.indptr, net.indices, x0, susceptibility)
    limit = friedkin_johnsen_limit(net.indptr, net.indices, x0, susceptibility)
    _emit(
        "Friedkin-Johnsen (1990)",
        {**_graph_summary(net), "susceptibility": susceptibility, "seed": seed,
         "initial_sd": float(x0.std()), "final_sd": float(run.opinions.std()),
         "max_abs_difference_closed_form": float(np.abs(run.opinions - limit).max()),
         "steps": run.steps, "converged": run.converged},
        as_json,
    )


@classic_app.command()
def deffuant(
    d: Annotated[float, typer.Option(help="Confidence bound.")] = 0.2,
    mu: Annotated[float, typer.Option(help="Convergence parameter (0, 0.5].")] = 0.5,
    generator: Generator = None,
    employees: Employees = 1000,
    mean_degree: MeanDegree = 10.0,
    rewire: Rewire = 0.1,
    edges: Edges = None,
    trials: Trials = 1,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Deffuant et al. (2000) bounded confidence: about ⌊1/(2d)⌋ opinion clusters if well mixed."""
    from .bounded_confidence import deffuant as run_deffuant

    check_number("--d", d, 0.0, 1.0, low_open=True)
    check_number("--mu", mu, 0.0, 0.5, low_open=True)
    check_positive_int("--trials", trials)
    g_rng, m_rng = _rngs(seed, 2)
    # Opinions, meeting partners and cluster bookkeeping: measured 277 bytes per employee.
    net = _network(generator, "complete", employees, mean_degree, rewire, edges, g_rng,
                   command="deffuant", node_bytes=320, allow_complete=True)
    graph = {} if net.complete else {"indptr": net.indptr, "indices": net.indices}
    rows = []
    for t in range(trials):
        run = run_deffuant(m_rng.random(net.n), d, mu, rng=m_rng, **graph)
        rows.append({"trial": t, "clusters": len(run.clusters),
                     "major_clusters": run.major_clusters(), "settled": run.settled,
                     "meetings": run.meetings, "cluster_sizes": run.clusters.tolist()})
    _emit(
        "Deffuant et al. (2000) bounded confidence",
        {**_graph_summary(net), "complete_mixing": net.complete, "d": d, "mu": mu,
         "seed": seed, "floor_1_over_2d": math.floor(1 / (2 * d) + 1e-9),
         "major_cluster_share": 0.05},
        as_json,
        rows,
    )


@classic_app.command()
def centola(
    rewire: Annotated[
        str, typer.Option(help="Rewiring probabilities to compare, comma separated.")
    ] = "0,0.001,0.01,0.1",
    threshold: Annotated[
        int, typer.Option(help="Active neighbours a complex contagion needs.")
    ] = 2,
    employees: Employees = 10_000,
    mean_degree: Annotated[float, typer.Option(help="Ring lattice degree z (even).")] = 4.0,
    trials: Trials = 10,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Centola & Macy (2007): rewiring a ring lattice speeds simple contagion, stops complex."""
    from ..network import watts_strogatz
    from .threshold import complex_contagion_trials

    probabilities = _parse_floats(rewire, "--rewire")
    for p in probabilities:
        check_number("--rewire", p, 0.0, 1.0)
    check_number("--mean-degree", mean_degree, 0.0)
    _counts(("--threshold", threshold), ("--employees", employees), ("--trials", trials))
    # One lattice at a time: its build plus the contagions' per-employee arrays.
    per_employee = NETWORK_NODE_BYTES + NETWORK_TIE_END_BYTES * mean_degree + MODEL_NODE_BYTES
    _require_memory("centola", employees, per_employee)
    rngs = _rngs(seed, 2 * len(probabilities))
    rows = []
    for i, p in enumerate(probabilities):
        try:
            net = watts_strogatz(employees, mean_degree, p, rngs[2 * i])
        except ValueError as exc:
            raise InputError(f"cannot build the ring lattice: {exc}") from exc
        # Both contagions start from the same seed neighbourhoods.
        start = int(rngs[2 * i + 1].integers(2**63))
        simple = complex_contagion_trials(net.indptr, net.indices, 1, trials=trials, rng=start)
        hard = complex_contagion_trials(
            net.indptr, net.indices, threshold, trials=trials, rng=start
        )
        rows.append({
            "rewire": p,
            "simple_share": float(simple.sizes.mean()),
            "simple_rounds": float(simple.rounds.mean()),
            "complex_share": float(hard.sizes.mean()),
            "complex_rounds": float(hard.rounds.mean()),
        })
    _emit(
        "Centola & Macy (2007) complex contagion",
        {"nodes": employees, "lattice_degree": mean_degree, "threshold": threshold,
         "trials": trials, "seed": seed, "seeding": "a random node and its neighbours"},
        as_json,
        rows,
    )
