"""The web pages (简体中文) over the same services as the API: login, 受理台, 工单, 回访."""

from hotline.web import (  # noqa: F401  (attach the views)
    access_log_page,
    account,
    admin,
    apikeys,
    auth,
    console,
    console_help,
    desk,
    filters,
    followups,
    hotspots_page,
    inbox,
    monitor_resume,
    online,
    reports,
    supervision,
    tickets,
    watch,
)
from hotline.web.blueprint import bp

__all__ = ["bp"]
