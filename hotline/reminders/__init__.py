"""Reminders and escalation (临期/超期/督办): rows in the database, planned and delivered by a sweep."""
