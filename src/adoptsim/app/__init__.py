"""The interactive Solara app behind ``adoptsim app`` (see docs/app.md).

Modules: ``positions`` (organisation layout), ``charts`` (live frames), ``levers``
(levers, presets, start-up settings), ``runs`` (per-session runs), ``pages`` (the
Solara components), ``about`` (the About text), ``server`` and ``cli`` (starting it).
Importing this package imports nothing heavy; ``pages`` imports Solara.
"""
