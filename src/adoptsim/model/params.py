"""The scalar parameters of a run, as one named tuple compiled code reads.

:func:`params_from_config` maps scenario keys to fields (docs/odd.md,
section 7.1, names each key). The mechanism switches (``[mechanisms]``) are
the boolean fields ``m_<name>``; a switch that is off freezes its term at the
neutral level (docs/odd.md, section 8.14).

Examples
--------
>>> from adoptsim.config import load_config
>>> par = params_from_config(load_config(overrides={"mechanisms.feed": False}), 7, 100, 99)
>>> par.m_feed, par.m_promotion, par.feed, par.staff
(False, True, 3.0, 99)
"""

from __future__ import annotations

from typing import NamedTuple

from ..config import ScenarioConfig
from .targeting import STRATEGIES

#: A relationship (tie) weaker than this has lapsed (about 150 weeks after one
#: positive exchange, at the default decay).
TIE_FLOOR = 0.05


class Params(NamedTuple):
    """Every scalar a step reads (see docs/odd.md for each one's meaning)."""

    seed: int  # the run's 63-bit key of counter-based random numbers (model/rng.py)
    n: int
    staff: int
    steps: int
    window: int
    # awareness
    p_external: float
    p_promotion: float
    promote_step: int
    q: float
    active_weight: float
    # joining and leaving
    join_rate: float
    invite_rate: float
    instant: bool
    join_follows: int
    preferential: float
    leave_rate: float
    # following
    exposure_rate: float
    mention_follow: float
    after_positive: float
    unfollow: float
    # views
    follower_view: float
    feed: float
    # posting
    threshold_mode: bool
    b0: float
    b_social: float
    b_enthusiasm: float
    b_fear: float
    b_trust: float
    phi0: float
    k_fear: float
    k_enthusiasm: float
    k_trust: float
    harmful: float
    # underground
    u_rate: float
    u_found: float
    frustration_add: float
    frustration_decay: float
    # fear
    relax: float
    policing_weight: float
    monitoring_weight: float
    reassurance: float
    sanction_rate: float
    sanction_fear: float
    neighbour_fear: float
    join_weight: float
    chill_trust: float
    # trust
    averaging: float
    gain: float
    loss: float
    ambient: float
    tie_decay: float
    tie_floor: float
    best_tone: float
    relationship_half: float
    best_tone_shift: float
    # benefit
    per_view: float
    cross_silo: float
    harm: float
    # channel policy
    policy_start: int
    new_friction: float
    new_policing: float
    new_restriction: float
    shutdown: bool
    harm_detection: float
    # comms managers
    join_step: int
    effort: int
    learn_tone: bool
    review_every: int
    monitoring: float
    focus: float
    manager_follows: int
    manager_posts: int
    authority: float
    visibility: float
    invite: bool  # comms.invite and the invitations mechanism
    invite_share: float
    reshare: float
    ranking: int  # RANK_* constant of the strategy (model/targeting.py)
    engage: bool  # the strategy engages at all (not 'none')
    # mechanisms (True = on)
    m_promotion: bool
    m_invitations: bool
    m_preferential_follow: bool
    m_authority_follow: bool
    m_exposure_follow: bool
    m_follow_back: bool
    m_feed: bool
    m_manager_posts: bool
    m_reshare: bool
    m_relationship_trust: bool
    m_peer_trust: bool
    m_ambient_trust: bool
    m_fear_joining: bool
    m_churn: bool
    m_fear_posting: bool
    m_surveillance_chill: bool
    m_policing_fear: bool
    m_frustration: bool


def params_from_config(cfg: ScenarioConfig, seed: int, n: int, staff: int) -> Params:
    """The :class:`Params` of a run of ``cfg`` on ``n`` employees (``staff`` not managers).

    ``seed`` is the run's 63-bit key of counter-based random numbers.
    """
    c = cfg.comms
    friction, policing, restriction = cfg.channel.levers()
    strategy = STRATEGIES[c.strategy]
    mech = cfg.mechanisms
    return Params(
        seed=seed, n=n, staff=staff, steps=cfg.run.steps, window=cfg.posting.window,
        p_external=cfg.awareness.p_external, p_promotion=cfg.awareness.p_comms,
        promote_step=c.promote_step, q=cfg.awareness.q,
        active_weight=cfg.awareness.active_weight,
        join_rate=cfg.joining.rate, invite_rate=cfg.joining.invite_rate,
        instant=cfg.joining.instant, join_follows=cfg.joining.follows,
        preferential=cfg.joining.preferential, leave_rate=cfg.joining.leave_rate,
        exposure_rate=cfg.following.exposure_rate,
        mention_follow=cfg.following.mention_follow,
        after_positive=cfg.following.after_positive, unfollow=cfg.following.unfollow,
        follower_view=cfg.visibility.follower_view, feed=cfg.visibility.feed,
        threshold_mode=cfg.posting.mode == "threshold", b0=cfg.posting.intercept,
        b_social=cfg.posting.social, b_enthusiasm=cfg.posting.enthusiasm,
        b_fear=cfg.posting.fear, b_trust=cfg.posting.trust, phi0=cfg.posting.threshold,
        k_fear=cfg.posting.fear_shift, k_enthusiasm=cfg.posting.enthusiasm_shift,
        k_trust=cfg.posting.trust_shift, harmful=cfg.posting.harmful,
        u_rate=cfg.underground.rate, u_found=cfg.underground.found,
        frustration_add=cfg.underground.frustration,
        frustration_decay=cfg.underground.frustration_decay,
        relax=cfg.fear.relax, policing_weight=cfg.fear.policing_weight,
        monitoring_weight=cfg.fear.monitoring_weight, reassurance=cfg.fear.reassurance,
        sanction_rate=cfg.fear.sanction_rate, sanction_fear=cfg.fear.sanction_fear,
        neighbour_fear=cfg.fear.neighbour_fear, join_weight=cfg.fear.join_weight,
        chill_trust=cfg.fear.chill_trust,
        averaging=cfg.trust.averaging, gain=cfg.trust.gain, loss=cfg.trust.loss,
        ambient=cfg.trust.ambient, tie_decay=cfg.trust.tie_decay, tie_floor=TIE_FLOOR,
        best_tone=cfg.trust.best_tone, relationship_half=cfg.trust.relationship_half,
        best_tone_shift=cfg.trust.best_tone_shift,
        per_view=cfg.benefit.per_view, cross_silo=cfg.benefit.cross_silo,
        harm=cfg.benefit.harm,
        policy_start=cfg.channel.policy_start, new_friction=friction, new_policing=policing,
        new_restriction=restriction, shutdown=cfg.channel.policy == "shutdown",
        harm_detection=cfg.channel.harm_detection,
        join_step=c.join_step, effort=c.effort, learn_tone=c.learn_tone,
        review_every=c.review_every, monitoring=c.monitoring, focus=c.focus,
        manager_follows=c.follows, manager_posts=c.posts, authority=c.authority,
        visibility=c.visibility, invite=c.invite and mech.invitations,
        invite_share=c.invite_share, reshare=c.reshare, ranking=strategy.ranking,
        engage=strategy.engages,
        **{f"m_{name}": bool(on) for name, on in mech.model_dump().items()},
    )
