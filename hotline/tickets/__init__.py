"""Tickets (工单): their states, the one transition function, the service and the HTTP API."""
