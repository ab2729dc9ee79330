"""Rasa 3.6 components of the project (referenced from config.yml by module path)."""

from bot.rasa_ext import speedups

speedups.install()  # the Rasa server imports this package at start-up (see speedups.py)
