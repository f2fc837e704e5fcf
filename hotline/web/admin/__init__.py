"""系统管理 pages (admins): users, departments and districts, calendar, catalogue, limits, knowledge, models."""

from hotline.web.admin import (  # noqa: F401  (attach the views)
    calendar,
    catalogue,
    home,
    knowledge,
    knowledge_io,
    limits,
    models,
    places,
    users,
)
