"""Accounts: login, users and roles, passwords and API tokens."""
