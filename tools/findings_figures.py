"""Copy the figures docs/findings.md shows from the experiments' reports.

``make findings`` runs every experiment and its report (``results/<name>/report/``),
then ``tools/robustness.py``, then this script, which copies the figures the
findings cite into ``docs/images/findings/`` under stable names.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
TARGET = ROOT / "docs" / "images" / "findings"

#: Name in docs/images/findings/ -> (experiment, figure in its report/).
FIGURES = {
    "join_timing_follower_share.png": ("join_timing", "series_cm_follower_share.png"),
    "join_timing_ablation_member.png": ("join_timing_ablation", "ablation_member.png"),
    "join_timing_ablation_follower_share.png": ("join_timing_ablation",
                                                "ablation_cm_follower_share.png"),
    "targeting_follower_share.png": ("targeting", "final_cm_follower_share.png"),
    "authority_follower_share.png": ("authority_vs_conversation",
                                     "final_cm_follower_share.png"),
    "authority_trust.png": ("authority_vs_conversation", "final_trust.png"),
    "engagement_chain_ablation_trust.png": ("engagement_chain_ablation", "ablation_trust.png"),
    "monitoring_member.png": ("monitoring", "final_member.png"),
    "tone_trust.png": ("tone", "final_trust.png"),
    "channel_policy_benefit.png": ("channel_policy", "final_benefit_cum.png"),
    "policing_pays_benefit.png": ("policing_pays", "final_benefit_cum.png"),
    "super_networker_follower_share.png": ("super_networker", "final_cm_follower_share.png"),
    "fear_paths_member.png": ("fear_paths", "final_member.png"),
    "fear_paths_active.png": ("fear_paths", "series_active.png"),
    "screening_member.png": ("screening", "morris_member.png"),
    "screening_trust.png": ("screening", "morris_trust.png"),
    "sensitivity_sobol.png": ("sensitivity", "sobol.png"),
}


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, (experiment, figure) in FIGURES.items():
        source = RESULTS / experiment / "report" / figure
        if source.is_file():
            shutil.copyfile(source, TARGET / name)
        else:
            missing.append(str(source.relative_to(ROOT)))
    if missing:
        sys.exit("Missing (run `make findings` first): " + ", ".join(missing))
    print(f"Copied {len(FIGURES)} figures into {TARGET.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
