"""Notifications: the in-app inbox per user and department, and the outbound SMS / e-mail outbox."""
