"""Alembic migrations of the local knowledge base (run programmatically by `kb.upgrade_schema`)."""
