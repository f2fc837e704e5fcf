"""RQ workers: thin jobs that take IDs and call hotline services, the periodic schedule as data, the
worker runner (worker + scheduler, jieba and the model loaded before forking) and the health check.

Imports point one way: workers → hotline. The database is the source of truth: every job re-reads its
rows and is safe to run twice, and the sweep re-enqueues whatever is due and unsent (after a Redis wipe too).
"""
