"""Rasa-facing web channels: agent login, agent assist, supervisor pages."""
