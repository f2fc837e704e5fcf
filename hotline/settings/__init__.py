"""Settings admins change by year (time limits, rate weights) over the configuration's defaults."""
