"""Custom Rasa NLU graph components. Thin wrappers around complaint_desk."""
