"""Domain logic of the complaint desk. Plain Python: nothing here imports Rasa."""
