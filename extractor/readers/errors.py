"""The one error every reader raises."""


class ReadError(ValueError):
    """The file cannot be read as its format; the message is one line naming the problem."""
