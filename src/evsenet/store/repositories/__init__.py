"""Repositories: the only place that writes SQL. Every query is scoped by operator."""
