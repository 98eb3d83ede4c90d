"""Shortlisting rules: pure functions over plain data (no Flask, no database).

`scores` (the score scale and one criterion's agreed score), `ranking` (every application's result,
ranked), `criteria` (a person specification's criteria and how each is assessed), `board` (what the
panel has done on a vacancy, and what is still missing) and `report` (the shortlist as rows). The
queries that fill them and the operations that save what the panel does are in the services
(`shortlist_board`, `shortlist_page`, `panel_scores`, `shortlisting`).
"""
