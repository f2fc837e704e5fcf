"""Supervision: rates, rankings, reports, exports, duplicates and hotspots (DESIGN section 6)."""
