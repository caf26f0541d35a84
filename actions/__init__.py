"""Custom actions for the complaint desk (rasa-sdk). Thin: the logic is in complaint_desk."""
