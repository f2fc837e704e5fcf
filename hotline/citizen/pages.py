"""The public pages, attached to their blueprint: /public/submit, /public/track and the rating."""

from hotline.citizen import submit_page, track_page  # noqa: F401  (attach the views)
from hotline.citizen.blueprint import bp

__all__ = ["bp"]
