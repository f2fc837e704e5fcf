"""Working days and time limits: the calendar and the pure deadline policy."""
