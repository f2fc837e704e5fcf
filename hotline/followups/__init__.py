"""Follow-up calls (回访): the queue and the outcomes."""
