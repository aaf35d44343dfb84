"""Answers in Microsoft Teams: the commands offered there (derived from the app's command
table) answered as Adaptive Cards (`answers`). Alert cards live with the alerts."""
