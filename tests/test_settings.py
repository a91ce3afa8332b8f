"""Settings read from the environment: values that cannot be used fall back or are refused,
never crash a command later."""

from __future__ import annotations

import pytest

from cardaudit.errors import UsageError
from cardaudit.settings import Settings, endpoint_problem, shown_url

BASE = {"SOURCE_DATE_EPOCH": "0"}


@pytest.mark.parametrize(("value", "backoff"), [
    ("0", 0.0), ("2.5", 2.5), ("1e308", 0.5), ("inf", 0.5), ("nan", 0.5), ("-1", 0.5),
    ("soon", 0.5)])
def test_a_backoff_that_cannot_be_slept_is_the_default(value: str, backoff: float) -> None:
    """1e308 or inf reached time.sleep on the first retry: an internal OverflowError row."""
    assert Settings.from_env({**BASE, "CARDAUDIT_BACKOFF": value}).backoff == backoff


@pytest.mark.parametrize(("columns", "width"), [("3", 40), ("120", 120), ("99999", 1000),
                                                ("wide", None)])
def test_columns_is_held_to_table_widths(columns: str, width: int | None) -> None:
    assert Settings.from_env({**BASE, "COLUMNS": columns}).width == width


def test_a_bad_hf_endpoint_is_kept_as_an_error_not_used() -> None:
    settings = Settings.from_env({**BASE, "HF_ENDPOINT": "ftp://mirror.example"})
    assert settings.endpoint == "https://huggingface.co"
    assert settings.endpoint_error == "HF_ENDPOINT 'ftp://mirror.example' is not an http(s) URL"
    fine = Settings.from_env({**BASE, "HF_ENDPOINT": "https://hub.corp.example/"})
    assert (fine.endpoint, fine.endpoint_error) == ("https://hub.corp.example", None)


def test_a_source_date_epoch_pins_the_time_or_is_refused() -> None:
    assert Settings.from_env({"SOURCE_DATE_EPOCH": "1767225600"}).generated_at == \
        "2026-01-01T00:00:00Z"
    with pytest.raises(UsageError, match="not a Unix time"):
        Settings.from_env({"SOURCE_DATE_EPOCH": "１２３"})  # full-width digits


@pytest.mark.parametrize(("url", "shown"), [
    ("https://ci:hf_secret@hub.example/x", "https://ci:***@hub.example/x"),
    ("https://user:pa:ss@hub.example", "https://user:***@hub.example"),
    ("https://hf_tokenalone@hub.example", "https://***@hub.example"),
    ("https://hub.example/a@b", "https://hub.example/a@b"),  # an @ in the path is no secret
    ("not a url", "not a url")])
def test_credentials_in_an_endpoint_are_masked_when_shown(url: str, shown: str) -> None:
    assert shown_url(url) == shown
    if "***" in shown:
        assert "holds credentials" in (endpoint_problem(url) or "")
