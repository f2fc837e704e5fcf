"""系统管理 pages (admins): users, departments and districts, calendar, catalogue, limits, knowledge, models."""

from hotline.web.admin import calendar, catalogue, home, knowledge, knowledge_io, limits, places, users  # noqa: F401  (attach the views)
