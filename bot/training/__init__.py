"""What the training loop around a rehearsal stores: drill attempts, drill assignments,
flags on misheard turns and instructors' comments (tables.py; store.py reads and writes
them). The domain logic is in bot.drills and bot.debrief; this package is only storage.
"""
