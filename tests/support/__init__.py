"""Helpers shared by the tests: database backends, factories, signing in, a mailbox.

Fixtures live in conftest.py files; everything a test imports lives here.
"""
