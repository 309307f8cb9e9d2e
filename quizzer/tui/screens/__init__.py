"""Screens of the quizzer app, one module each."""
