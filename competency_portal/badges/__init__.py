"""Open Badges 3.0 credentials as data: what this portal signs, publishes and reads back.

Pure: no app, no request, no database. Services pass in what a credential says and the portal's
public address; these modules give back the standard JSON (and read it again).
"""
