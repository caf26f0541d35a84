"""The one error of the insights package: a bad filter, section name or settings file."""

from __future__ import annotations


class InsightsError(ValueError):
    """A filter or a settings file is invalid; the message is meant for people (Chinese)."""
