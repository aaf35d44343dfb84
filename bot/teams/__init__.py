"""Answers in Microsoft Teams: the commands offered there (derived from the app's command
table) answered as Adaptive Cards (`answers` reads the message and picks the answer; `cards`
and `status_card` build the cards on the reply plumbing of `reply`). Alert cards live with
the alerts."""
