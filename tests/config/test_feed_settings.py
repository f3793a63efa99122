"""FEED_* and MAX_ARTICLE_AGE_DAYS: defaults, decimals, and bad values named."""

from __future__ import annotations

import pytest

from config.settings import SettingsError, settings_from_mapping


def test_defaults_poll_every_half_hour_and_hide_nothing() -> None:
    settings = settings_from_mapping({})
    assert (settings.feed_poll_minutes, settings.feed_max_new_per_sync) == (30.0, 50)
    assert (settings.feed_host_delay_seconds, settings.feed_timeout_seconds) == (1.0, 20.0)
    assert settings.max_article_age_days is None


def test_values_as_people_write_them() -> None:
    settings = settings_from_mapping(
        {
            "FEED_POLL_MINUTES": "0,5",
            "FEED_MAX_NEW_PER_SYNC": "200",
            "MAX_ARTICLE_AGE_DAYS": "7",
            "FEED_HOST_DELAY_SECONDS": "0",
        }
    )
    assert (settings.feed_poll_minutes, settings.feed_max_new_per_sync) == (0.5, 200)
    assert (settings.max_article_age_days, settings.feed_host_delay_seconds) == (7, 0.0)
    assert settings_from_mapping({"MAX_ARTICLE_AGE_DAYS": "0"}).max_article_age_days is None
    assert settings_from_mapping({"FEED_POLL_MINUTES": "0"}).feed_poll_minutes == 0.0  # the bot does not poll


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("FEED_POLL_MINUTES", "sering", "FEED_POLL_MINUTES must be a number"),
        ("FEED_POLL_MINUTES", "-5", "FEED_POLL_MINUTES must be 0 or more"),
        ("FEED_MAX_NEW_PER_SYNC", "0", "FEED_MAX_NEW_PER_SYNC must be at least 1"),
        ("MAX_ARTICLE_AGE_DAYS", "-1", "MAX_ARTICLE_AGE_DAYS must be 0"),
        ("FEED_HOST_DELAY_SECONDS", "nan", "FEED_HOST_DELAY_SECONDS must be 0 or more"),
    ],
)
def test_bad_values_are_named(key: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings_from_mapping({key: value})
