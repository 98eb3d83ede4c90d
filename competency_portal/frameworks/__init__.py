"""Framework files: the schema, a hardened YAML reader, validation, diff and load."""
