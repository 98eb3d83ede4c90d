"""`make import-check`: how well the importer turns the five seed documents into frameworks.

Each seed is rendered to Word and PDF (render.py), imported, and the drafts compared with the
hand-made frameworks in frameworks/ (score.py); `python -m scripts.import_check` prints the table.
"""
