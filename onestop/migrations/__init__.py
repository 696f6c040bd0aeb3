"""Alembic migrations (run by ``onestop init``)."""
