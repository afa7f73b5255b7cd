"""Casework for the legal route (#18): the Domestic Incident Report (PWDVA Form I) and its
forwarding, court orders and applications (ss.18-22) with follow-ups before they lapse, the
weekly follow-up plan with the police, contacts outside the line, outreach material, and what
DELETE keeps of a legal record. Plain functions; the console's routes (views.py) and the CLI
(cli.py) only call them."""
