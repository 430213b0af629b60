"""The one error type users see.

A BarkflowError's message is a single line that says what is wrong, where, and how to fix it.
The CLI prints it without a traceback; everything else (a bug) keeps its traceback.
"""

from pathlib import Path


class BarkflowError(Exception):
    """A problem with the user's input or environment, explained in one line."""


def check_range(key: str, value: object, low: float, high: float, *, integer: bool = True,
                optional: bool = False, hint: str = "") -> None:
    """One wording for every out-of-range option: `key` is its dotted name, e.g. device.batch_size.

    Booleans are not numbers here, NaN is never in range, and `optional` lets null through.
    """
    if optional and value is None:
        return
    is_number = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not is_number or not low <= value <= high:  # NaN fails both comparisons
        kind = "a whole number" if integer else "a number"
        bounds = f"from {_show(low)} up" if high == float("inf") else f"from {_show(low)} to {_show(high)}"
        raise BarkflowError(
            f"{key} is {value!r}: set it to {kind} {bounds}{' (or null)' if optional else ''}{', ' + hint if hint else ''}"
        )


def check_choice(key: str, value: object, choices) -> None:
    """One wording for an option that takes one of a few names: `key` is its dotted name."""
    if value not in choices:
        raise BarkflowError(f"{key} is {value!r}: set it to one of {', '.join(choices)}")


def user_path(path) -> Path:
    """A path as the user wrote it, a leading ~ or ~user expanded: the one place that is done, so a
    home that cannot be found ('~0' where no user 0 is) is a one-line error, not a RuntimeError."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        raise BarkflowError(f"{path}: no home folder for {str(path).split('/')[0]!r}; write the path in full") from None


def _show(bound: float) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)
