"""Domain logic of the action-plan rehearsal simulator.

Everything here is importable and testable without a running Rasa server;
only `bot.rasa_ext` imports Rasa itself.
"""
