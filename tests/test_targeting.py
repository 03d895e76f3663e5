"""Targeting strategies: on a small hand-made organisation each picks whom it should.

The organisation: two four-person cliques in two departments, joined by
node 3 (two ties into the other clique: the only real bridge); a star of a
hub (node 8) and twelve colleagues in a third department (the hub has the
most ties); and the comms manager (node 21) on its own. Every employee is a
member from the start, nobody posts, and the manager always targets
(monitoring 1) the top of its ranking, which holds one person (effort 1,
focus: one person). With trust from colleagues and from reading switched
off, the only employees whose trust moves in a week are those the manager
engaged: the strategy's choice.
"""

import numpy as np
import pytest

from adoptsim import AdoptionModel
from adoptsim.config import load_config
from adoptsim.errors import InputError
from adoptsim.model.targeting import RANK_NONE, RANK_STATIC, STRATEGIES
from adoptsim.network import Network, csr_from_edges

HUB, BRIDGE, MANAGER, N = 8, 3, 21, 22


def organisation() -> Network:
    edges = [(a, b) for a in range(4) for b in range(a + 1, 4)]  # clique 0-3
    edges += [(a, b) for a in range(4, 8) for b in range(a + 1, 8)]  # clique 4-7
    edges += [(BRIDGE, 4), (BRIDGE, 5)]  # the bridge between the departments
    edges += [(HUB, leaf) for leaf in range(9, 21)]  # the star
    src, dst = zip(*edges, strict=True)
    indptr, indices = csr_from_edges(src, dst, N)
    department = np.array([0] * 4 + [1] * 4 + [2] * 13 + [3], np.int32)
    comms = np.zeros(N, bool)
    comms[MANAGER] = True
    return Network(indptr, indices, department, department.copy(), np.zeros(N, np.int8),
                   comms=comms)


def model_with(strategy: str, effort: int = 1) -> AdoptionModel:
    overrides = {
        "comms.strategy": strategy, "comms.count": 1, "comms.effort": effort,
        "comms.focus": 0.01, "comms.monitoring": 1.0, "population.champion_share": 0.0,
        "posting.intercept": -40.0, "mechanisms.peer_trust": False,
        "mechanisms.ambient_trust": False, "mechanisms.churn": False,
    }
    model = AdoptionModel.from_scenario(None, overrides, network=organisation(), rng=3)
    model.state.member_c[:MANAGER] = True
    model.state.ever_member[:MANAGER] = True
    model.state.aware[:] = True
    return model


def engaged(model: AdoptionModel) -> list[int]:
    """The employees whose trust the manager's interactions moved in the next week."""
    before = model.state.trust[:MANAGER].copy()
    model.step()
    return np.flatnonzero(model.state.trust[:MANAGER] != before).tolist()


def test_degree_picks_the_hub():
    assert engaged(model_with("degree")) == [HUB]


def test_bridging_picks_the_bridge_not_the_hub():
    assert engaged(model_with("bridging")) == [BRIDGE]


def test_champions_picks_the_member_who_posted_most():
    model = model_with("champions")
    model.state.cum_posts_c[[2, 14, 6]] = [3, 9, 4]
    assert engaged(model) == [14]


def test_followers_picks_the_most_followed_member():
    model = model_with("followers")
    model.follow.followers[[5, 11, 19]] = [2, 1, 7]
    assert engaged(model) == [19]


def test_greedy_picks_the_best_cascade_seed():
    model = model_with("greedy")
    assert int(np.argmax(model.engine.static_score)) == HUB
    assert engaged(model) == [HUB]


def test_random_fixed_keeps_to_one_random_choice():
    model = model_with("random_fixed")
    first = engaged(model)
    assert len(first) == 1
    assert all(engaged(model) == first for _ in range(3))  # the same person every week


def test_random_does_not_rank_and_reaches_many():
    model = model_with("random", effort=200)
    assert not model.engine.static_score.any()
    assert len(engaged(model)) > 10  # every pick uniform over the members


def test_none_never_engages():
    model = model_with("none", effort=50)
    model.run(steps=5)
    assert model.comms.interactions.sum() == 0
    assert model.comms.tie.sum() == 0


def test_registry_is_what_the_schema_and_the_app_offer():
    from adoptsim.app.levers import LEVERS

    choices = next(lever.choices for lever in LEVERS if lever.key == "comms.strategy")
    assert choices == tuple(STRATEGIES)
    for name in STRATEGIES:
        assert load_config(overrides={"comms.strategy": name}).comms.strategy == name
    with pytest.raises(InputError, match="allowed values: 'none', 'random', 'random_fixed'"):
        load_config(overrides={"comms.strategy": "loudest"})
    for strategy in STRATEGIES.values():
        assert (strategy.score is not None) == (strategy.ranking == RANK_STATIC)
        assert strategy.engages == (strategy.name != "none")
        assert strategy.describe
    assert STRATEGIES["random"].ranking == RANK_NONE
