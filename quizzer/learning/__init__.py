"""The learning model: memory (FSRS), ability (Elo), selection, mock exams and readiness.

Pure Python. Nothing here reads a file, a clock or a database: the current time and a
``random.Random`` are passed in, and functions return new values instead of mutating. The
service layer turns bank questions into :class:`~quizzer.learning.items.Item` values and stored
rows into the states these modules update.
"""
