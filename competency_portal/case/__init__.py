"""Frameworks as 1EdTech CASE 1.1 (Competencies and Academic Standards Exchange) packages.

`package` turns a loaded framework version into CASE JSON; `reading` turns a CASE package (ours or
another publisher's) back into a framework document that goes through the same checks and load as
a YAML file. Both are pure: no Flask, no database.
"""
