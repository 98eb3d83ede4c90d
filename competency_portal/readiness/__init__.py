"""Readiness for a role: pure functions over plain data (no Flask, no database), and loaders."""
