"""``adoptsim classic MODEL``: run a classic diffusion model from the command line.

Register the sub-command group on the main app with :func:`register`. Each
model prints a table by default and machine-readable JSON with ``--json``.
Bad input raises :class:`~adoptsim.errors.InputError` naming the option (the
main command prints it as one paragraph and exits with status 2): counts
below their minimum, numbers that are nan, infinite or out of range, and
sizes whose estimated memory exceeds what the machine has available, which
are refused before anything is allocated. The models and networks are
imported inside the commands, so registering costs no numba start-up.

Examples
--------
>>> app = typer.Typer()
>>> register(app)
>>> [group.name for group in app.registered_groups]
['classic']
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from ..errors import InputError
from ._graph import check_number, check_positive_int
from .options import (
    FJ_FILL_BYTES,
    MODEL_NODE_BYTES,
    NETWORK_NODE_BYTES,
    NETWORK_TIE_END_BYTES,
    Employees,
    GraphOptions,
    Json,
    K,
    Samples,
    Seed,
    Seeds,
    Trials,
    counts,
    emit,
    graph_options,
    graph_summary,
    parse_floats,
    parse_seeds,
    require_memory_for,
    rngs,
)

if TYPE_CHECKING:
    from ..network import Network

classic_app = typer.Typer(
    name="classic",
    help="Classic diffusion models: Bass, Granovetter, Watts, SIR/SIS, IC/LT with CELF, "
    "DeGroot, Friedkin-Johnsen, Deffuant, Centola-Macy.",
)


def register(app: typer.Typer) -> None:
    """Add the ``classic`` sub-command group to the main ``adoptsim`` app."""
    app.add_typer(classic_app, name="classic")



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
    counts(("--employees", employees), ("--trials", trials))
    steps = round(horizon / dt)
    # Per agent: the adopted flags and a step's uniforms; per trial and step: the share.
    require_memory_for("bass", employees, 24, 8 * trials * (steps + 1),
                    f"the adoption share of {steps + 1:,} steps x {trials} trial(s)",
                    ", fewer --trials, a larger --dt or a shorter --horizon")
    (rng,) = rngs(seed, 1)
    run = bass_abm(employees, p, q, dt=dt, steps=steps, trials=trials, rng=rng)
    closed = bass_adoption(run.times, p, q)
    mean = run.adopted.mean(axis=0)
    every = max(1, round(1.0 / dt))
    rows = [
        {"t": float(t), "F_closed_form": float(c), "F_agents": float(m)}
        for t, c, m in zip(run.times[::every], closed[::every], mean[::every], strict=True)
    ]
    emit(
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
    require_memory_for("granovetter", employees, 160)
    summary: dict[str, Any] = {}
    if thresholds is not None:
        values = parse_floats(thresholds, "--thresholds")
        if any(v != int(v) for v in values):
            raise InputError("--thresholds must be whole numbers (counts of joiners).")
        th = np.array(values, dtype=np.int64)
        source = "given"
    elif sd is not None:
        check_number("--sd", sd, 0.0, low_open=True)
        (rng,) = rngs(seed, 1)
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
    emit(
        "Granovetter (1978)",
        {"people": th.size, "thresholds": source, "adopters": result.adopters,
         "rounds": result.rounds, **summary, "history": result.history.tolist()},
        as_json,
    )


@classic_app.command()
@graph_options("erdos_renyi", employees=10_000, mean_degree=3.0)
def watts(
    phi: Annotated[float, typer.Option(help="Fractional threshold φ.")] = 0.18,
    *,
    graph: GraphOptions,
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
    g_rng, m_rng = rngs(seed, 2)
    net = graph.build(g_rng, command="watts")
    low, high = watts_cascade_window(phi)
    summary: dict[str, Any] = {
        "phi": phi, **graph_summary(net), "seed": seed,
        "poisson_window_low": low, "poisson_window_high": high,
        "poisson_predicted_frequency": watts_cascade_frequency(float(net.degree.mean()), phi),
    }
    explicit = parse_seeds(seeds)
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
    emit("Watts (2002) threshold cascade", summary, as_json)


@classic_app.command()
@graph_options("erdos_renyi", employees=20_000, mean_degree=4.0)
def sir(
    beta: Annotated[float, typer.Option(help="Infection probability per edge per step.")] = 0.1,
    gamma: Annotated[float, typer.Option(help="Recovery probability per step.")] = 0.2,
    *,
    graph: GraphOptions,
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
    counts(("--initial", initial), ("--trials", trials))
    g_rng, m_rng = rngs(seed, 2)
    net = graph.build(g_rng, command="sir")
    explicit = parse_seeds(seeds)
    sizes = [
        run_sir(net.indptr, net.indices, beta, gamma, seeds=explicit, initial=initial,
                rng=m_rng).final_size
        for _ in range(trials)
    ]
    # The percolation prediction is for large outbreaks: those reaching over 10% of nodes.
    sizes = np.array(sizes)
    large = sizes > 0.1
    z = float(net.degree.mean())
    emit(
        "SIR epidemic",
        {"beta": beta, "gamma": gamma, **graph_summary(net), "seed": seed, "trials": trials,
         "transmissibility": transmissibility(beta, gamma),
         "threshold_T_c": epidemic_threshold(net.indptr),
         "final_size_poisson_theory": er_final_size(z, transmissibility(beta, gamma)),
         "large_outbreak_share": float(np.mean(large)),
         "mean_final_size_large": float(np.mean(sizes[large])) if large.any() else float("nan"),
         "final_sizes": sizes},
        as_json,
    )


@classic_app.command()
@graph_options("erdos_renyi", employees=5_000, mean_degree=10.0)
def sis(
    beta: Annotated[float, typer.Option(help="Infection probability per edge per step.")] = 0.1,
    gamma: Annotated[float, typer.Option(help="Recovery probability per step.")] = 0.2,
    *,
    graph: GraphOptions,
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
    counts(("--initial", initial), ("--steps", steps), ("--trials", trials))
    g_rng, m_rng = rngs(seed, 2)
    # Each trial keeps its count of infected per step.
    net = graph.build(g_rng, command="sis", extra_bytes=8 * trials * (steps + 1),
                      extra_for=f"the infected counts of {steps + 1:,} steps x {trials} trial(s)",
                      hint=", fewer --steps or fewer --trials")
    explicit = parse_seeds(seeds)
    runs = [
        run_sis(net.indptr, net.indices, beta, gamma, seeds=explicit, initial=initial,
                steps=steps, rng=m_rng)
        for _ in range(trials)
    ]
    window = max(1, steps // 4)
    emit(
        "SIS epidemic",
        {"beta": beta, "gamma": gamma, **graph_summary(net), "seed": seed, "trials": trials,
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
    summary: dict[str, Any] = {**graph_summary(net), "k": k, "samples": samples, "seed": seed}
    if model == "ic":
        summary["p"] = p
    summary["celf_spread_by_k"] = spreads.tolist()
    title = "Independent cascade" if model == "ic" else "Linear threshold"
    emit(f"{title} (Kempe et al. 2003), CELF seeds", summary, as_json, rows)



@classic_app.command()
@graph_options("org", employees=1000, mean_degree=6.0)
def ic(
    k: K = 5,
    p: Annotated[float, typer.Option(help="Edge activation probability.")] = 0.1,
    samples: Samples = 200,
    *,
    graph: GraphOptions,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Independent cascade: CELF greedy seeds vs degree and random seeds, same random numbers."""
    check_number("--p", p, 0.0, 1.0)
    counts(("--k", k), ("--samples", samples))
    g_rng, m_rng = rngs(seed, 2)
    # The live-edge samples: a uniform draw and a flag per sample and tie end.
    net = graph.build(g_rng, command="ic", tie_end_bytes=9 * samples, hint=" or fewer --samples")
    _influence("ic", k, p, samples, net, m_rng, seed, as_json)


@classic_app.command()
@graph_options("org", employees=1000, mean_degree=6.0)
def lt(
    k: K = 5,
    samples: Samples = 200,
    *,
    graph: GraphOptions,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Linear threshold (weights 1/k): CELF greedy seeds vs degree and random seeds."""
    counts(("--k", k), ("--samples", samples))
    g_rng, m_rng = rngs(seed, 2)
    # The live-edge samples: per sample, a uniform per employee and flags per tie end.
    net = graph.build(g_rng, command="lt", node_bytes=MODEL_NODE_BYTES + 16 * samples,
                      tie_end_bytes=3 * samples, hint=" or fewer --samples")
    _influence("lt", k, 0.0, samples, net, m_rng, seed, as_json)


@classic_app.command()
@graph_options("org", employees=1000, mean_degree=10.0)
def degroot(
    *,
    graph: GraphOptions,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """DeGroot averaging with W = D⁻¹(A+I): consensus at the (k+1)-weighted mean."""
    from .opinion import degroot as run_degroot
    from .opinion import degroot_limit

    g_rng, m_rng = rngs(seed, 2)
    net = graph.build(g_rng, command="degroot")
    x0 = m_rng.random(net.n)
    run = run_degroot(net.indptr, net.indices, x0)
    limit = degroot_limit(net.indptr, net.indices, x0)
    emit(
        "DeGroot (1974)",
        {**graph_summary(net), "seed": seed, "initial_mean": float(x0.mean()),
         "closed_form_mean": float(limit.mean()), "final_mean": float(run.opinions.mean()),
         "final_spread": float(np.ptp(run.opinions)),
         "max_abs_difference": float(np.abs(run.opinions - limit).max()),
         "steps": run.steps, "converged": run.converged},
        as_json,
    )


@classic_app.command("friedkin-johnsen")
@graph_options("org", employees=1000, mean_degree=10.0)
def friedkin_johnsen(
    susceptibility: Annotated[
        float, typer.Option(help="Susceptibility λ of every node (0 stubborn, 1 DeGroot).")
    ] = 0.8,
    *,
    graph: GraphOptions,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Friedkin-Johnsen: iteration vs the closed form (I − ΛW)⁻¹(I − Λ)x0."""
    from .opinion import friedkin_johnsen as run_friedkin_johnsen
    from .opinion import friedkin_johnsen_limit

    check_number("--susceptibility", susceptibility, 0.0, 1.0)
    g_rng, m_rng = rngs(seed, 2)
    net = graph.build(g_rng, command="friedkin-johnsen",
                      extra_bytes=FJ_FILL_BYTES * float(graph.employees) ** 2,
                      extra_for="the closed form's sparse solve, which grows as employees squared")
    x0 = m_rng.random(net.n)
    run = run_friedkin_johnsen(net.indptr, net.indices, x0, susceptibility)
    limit = friedkin_johnsen_limit(net.indptr, net.indices, x0, susceptibility)
    emit(
        "Friedkin-Johnsen (1990)",
        {**graph_summary(net), "susceptibility": susceptibility, "seed": seed,
         "initial_sd": float(x0.std()), "final_sd": float(run.opinions.std()),
         "max_abs_difference_closed_form": float(np.abs(run.opinions - limit).max()),
         "steps": run.steps, "converged": run.converged},
        as_json,
    )


# The command's first name, kept working for scripts that use it.
classic_app.command("fj", hidden=True)(friedkin_johnsen)


@classic_app.command()
@graph_options("complete", employees=1000, mean_degree=10.0)
def deffuant(
    d: Annotated[float, typer.Option(help="Confidence bound.")] = 0.2,
    mu: Annotated[float, typer.Option(help="Convergence parameter (0, 0.5].")] = 0.5,
    *,
    graph: GraphOptions,
    trials: Trials = 1,
    seed: Seed = 1,
    as_json: Json = False,
) -> None:
    """Deffuant et al. (2000) bounded confidence: about ⌊1/(2d)⌋ opinion clusters if well mixed."""
    from .bounded_confidence import deffuant as run_deffuant

    check_number("--d", d, 0.0, 1.0, low_open=True)
    check_number("--mu", mu, 0.0, 0.5, low_open=True)
    check_positive_int("--trials", trials)
    g_rng, m_rng = rngs(seed, 2)
    # Opinions, meeting partners and cluster bookkeeping: measured 277 bytes per employee.
    net = graph.build(g_rng, command="deffuant", node_bytes=320, allow_complete=True)
    graph = {} if net.complete else {"indptr": net.indptr, "indices": net.indices}
    rows = []
    for t in range(trials):
        run = run_deffuant(m_rng.random(net.n), d, mu, rng=m_rng, **graph)
        rows.append({"trial": t, "clusters": len(run.clusters),
                     "major_clusters": run.major_clusters(), "settled": run.settled,
                     "meetings": run.meetings, "cluster_sizes": run.clusters.tolist()})
    emit(
        "Deffuant et al. (2000) bounded confidence",
        {**graph_summary(net), "complete_mixing": net.complete, "d": d, "mu": mu,
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

    probabilities = parse_floats(rewire, "--rewire")
    for p in probabilities:
        check_number("--rewire", p, 0.0, 1.0)
    check_number("--mean-degree", mean_degree, 0.0)
    counts(("--threshold", threshold), ("--employees", employees), ("--trials", trials))
    # One lattice at a time: its build plus the contagions' per-employee arrays.
    per_employee = NETWORK_NODE_BYTES + NETWORK_TIE_END_BYTES * mean_degree + MODEL_NODE_BYTES
    require_memory_for("centola", employees, per_employee)
    streams = rngs(seed, 2 * len(probabilities))
    rows = []
    for i, p in enumerate(probabilities):
        try:
            net = watts_strogatz(employees, mean_degree, p, streams[2 * i])
        except ValueError as exc:
            raise InputError(f"cannot build the ring lattice: {exc}") from exc
        # Both contagions start from the same seed neighbourhoods.
        start = int(streams[2 * i + 1].integers(2**63))
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
    emit(
        "Centola & Macy (2007) complex contagion",
        {"nodes": employees, "lattice_degree": mean_degree, "threshold": threshold,
         "trials": trials, "seed": seed, "seeding": "a random node and its neighbours"},
        as_json,
        rows,
    )

