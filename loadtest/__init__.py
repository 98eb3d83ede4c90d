"""`make load`: the production server (gunicorn) under concurrent simulated users, then a check that
every write the server acknowledged is in the database.

Modules: `server` (start and stop gunicorn on a free loopback port), `client` (an HTTP session for
127.0.0.1 that signs in and keeps timings), `database` (a database of the load test's own, migrated,
frameworks loaded, people made), `journeys` (what staff, supervisors and recruiters do), `verify`
(acknowledged writes against the database) and `__main__` (the command and its one-line result).
The crash-safety test (tests/test_crash_safety.py) reuses `server` and `client`.
"""
