"""Tests of the Solara app: pure parts, and the app in a real browser."""
