"""The one error type users see.

A BarkflowError's message is a single line that says what is wrong, where, and how to fix it.
The CLI prints it without a traceback; everything else (a bug) keeps its traceback.
"""


class BarkflowError(Exception):
    """A problem with the user's input or environment, explained in one line."""
