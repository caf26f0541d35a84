"""The people of the desk: roles, teams (knowledge/teams.yml) and passwords. Plain Python, no Rasa."""
