"""The debrief of a rehearsal: turn by turn, what the client heard and what changed inside it.

`debrief.build_debrief(session, persona)` turns a stored session (bot.store's JSON) into a
`Debrief`; `chart.state_chart_svg` draws its trust/willingness series; `explain` and `words`
say engine events in plain words (also used by drill feedback). Pure: no Rasa, no SQL.
"""
