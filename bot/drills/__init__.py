"""Deliberate practice: drills, each one hard moment of a rehearsal practised on its own.

model (drill files as dataclasses), validate (file:line problems), practice (the client's
reply and the judgement of one answer), mastery (three good answers in a row). Pure: no
Rasa, no database.
"""
