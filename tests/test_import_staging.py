"""Uploads held between preview and confirmation (competency_portal/services/import_staging.py)."""

from __future__ import annotations

import os
import time

import pytest

from competency_portal.services.import_staging import KEEP_SECONDS, Staging


@pytest.fixture
def staging(tmp_path):
    return Staging(tmp_path / "imports")


def test_a_staged_file_comes_back_by_its_token_until_it_is_discarded(staging):
    token = staging.put("staff", b"Name,Email\r\nAli,ali@example.nhs.uk\r\n")
    assert len(token) == 32
    assert staging.get("staff", token) == b"Name,Email\r\nAli,ali@example.nhs.uk\r\n"
    assert staging.put("staff", b"other") != token  # each upload its own token
    staging.discard("staff", token)
    assert staging.get("staff", token) is None


def test_a_token_is_found_only_in_its_own_scope(staging):
    token = staging.put("staff", b"data")
    assert staging.get("vacancy-7", token) is None
    staging.discard("vacancy-7", token)  # discarding elsewhere leaves it alone
    assert staging.get("staff", token) == b"data"


@pytest.mark.parametrize("token", ["", "not-a-token", "../../etc/passwd", "A" * 32, "0" * 31, "0" * 33, None])
def test_a_malformed_token_finds_nothing(staging, token):
    staging.put("staff", b"data")
    assert staging.get("staff", token) is None
    staging.discard("staff", token)  # and discarding it does nothing


def test_an_unknown_token_finds_nothing(staging):
    assert staging.get("staff", "0" * 32) is None


def test_a_malformed_scope_is_refused(staging):
    with pytest.raises(ValueError):
        staging.put("../staff", b"data")


def test_files_older_than_a_day_are_removed_on_the_next_put(staging):
    old = staging.put("staff", b"old")
    recent = staging.put("vacancy-3", b"recent")
    day_ago = time.time() - KEEP_SECONDS - 60
    for path in staging.folder.glob(f"*{old}.csv"):
        os.utime(path, (day_ago, day_ago))
    assert staging.get("staff", old) == b"old"  # reading does not clear out
    staging.put("staff", b"new")
    assert staging.get("staff", old) is None
    assert staging.get("vacancy-3", recent) == b"recent"


def test_nothing_is_removed_before_a_day(staging):
    token = staging.put("staff", b"data")
    hours_ago = time.time() - KEEP_SECONDS + 3600
    for path in staging.folder.glob(f"*{token}.csv"):
        os.utime(path, (hours_ago, hours_ago))
    staging.put("staff", b"new")
    assert staging.get("staff", token) == b"data"
