"""Business rules as plain functions over models: no Flask request objects in here."""
