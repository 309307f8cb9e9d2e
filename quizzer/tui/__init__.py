"""The Textual user interface. Only this package imports Textual; it calls quizzer.services."""
