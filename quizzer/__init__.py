"""quizzer: exam practice and adaptive quizzes for Linux certification exams.

Importing the package loads nothing heavy: no Textual, no database engine, no bank.
"""

__version__ = "0.1.0"
