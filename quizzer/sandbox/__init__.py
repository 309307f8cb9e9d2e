"""The hands-on sandbox: a throwaway Linux per attempt, graded by the state it is left in.

See :mod:`quizzer.sandbox.engine` for the user-namespace sandbox, :mod:`quizzer.sandbox.rootfs`
for the root file system it runs on, and :mod:`quizzer.sandbox.grading` for attempts and checks.
Nothing here knows about the bank or the database: tasks arrive as plain data from services.
"""
