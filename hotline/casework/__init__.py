"""The application layer: use cases that orchestrate the ticket domain with dispatching, knowledge and
supervision (intake help, moves with their bookkeeping, the calendar that recomputes deadlines).

Domains below (tickets, deadlines, dispatching, knowledge, supervision) never import this package.
"""
