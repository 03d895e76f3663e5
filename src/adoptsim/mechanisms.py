"""The model's mechanisms: one switch each (``[mechanisms]`` in a scenario).

Every mechanism through which a practitioners' claim could hold or fail can
be switched off; off freezes it at its neutral level (docs/odd.md,
section 8.14), never zeroing a quantity that has a level. An ablation
(``design.kind = "ablation"``) runs a contrast with every mechanism on and
then with each one off, to say which mechanisms carry an effect.

Examples
--------
>>> len(MECHANISMS)
18
>>> MECHANISMS["feed"].off
'no feed reads (only followees are read)'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mechanism:
    """One switchable mechanism.

    Attributes
    ----------
    name : str
        The key in ``[mechanisms]``.
    does : str
        What the mechanism does when on.
    off : str
        Its neutral level when off.
    """

    name: str
    does: str
    off: str


MECHANISMS: dict[str, Mechanism] = {m.name: m for m in (
    Mechanism("promotion", "official media make employees aware of the channel from "
              "comms.promote_step", "no promotion term in awareness"),
    Mechanism("invitations", "managers invite aware non-members, who may join",
              "no invitations (every interaction is with a member)"),
    Mechanism("preferential_follow", "a new member follows popular members (weight followers + 1)",
              "a new member follows a colleague who is a member, else a random member"),
    Mechanism("authority_follow", "members follow a manager for its authority "
              "(P = comms.authority)", "no follows for authority"),
    Mechanism("exposure_follow", "members follow posters they read", "no follows from reading"),
    Mechanism("follow_back", "members followed by a manager follow back (P = trust)",
              "no follow-back"),
    Mechanism("feed", "members read a few posts from the whole channel each week",
              "no feed reads (only followees are read)"),
    Mechanism("manager_posts", "managers post comms.posts posts a week", "managers do not post"),
    Mechanism("reshare", "members mention a manager after a good exchange; readers of a "
              "mention may follow the manager", "no mentions"),
    Mechanism("relationship_trust", "trust gained in an exchange grows with the relationship "
              "(r / (r + trust.relationship_half))", "the relationship is taken as 1"),
    Mechanism("peer_trust", "trust in comms moves towards that of member colleagues (DeGroot)",
              "no averaging with colleagues"),
    Mechanism("ambient_trust", "members who read a manager's post or mention drift towards "
              "its reputation", "no drift"),
    Mechanism("fear_joining", "fear holds back joining (fear.join_weight)",
              "baseline fear in its place"),
    Mechanism("churn", "fear above one's baseline makes members leave", "nobody leaves"),
    Mechanism("fear_posting", "fear holds back posting and pushes posts underground",
              "baseline fear in its place"),
    Mechanism("surveillance_chill", "watching by a distrusted comms raises fear; by a trusted "
              "one lowers it", "no watching term"),
    Mechanism("policing_fear", "policing and removed posts raise fear",
              "no fear from policing (posts are still removed)"),
    Mechanism("frustration", "blocked and removed posts frustrate; frustration founds and "
              "feeds back-channels", "frustration stays 0"),
)}
