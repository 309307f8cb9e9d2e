"""Reports and exports: the progress report as Markdown, HTML, JSON and CSV; Anki decks.

Everything here renders data it is given (:mod:`quizzer.reports.model`); building that data
from the database and the bank is a use case in :mod:`quizzer.services`. Nothing here reads a
database or the bank.
"""
