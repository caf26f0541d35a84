"""Custom actions for the complaint desk (rasa-sdk). Thin: the logic is in complaint_desk."""

from actions.metrics import serve_from_environment

serve_from_environment()  # the action server imports this package once, at start
