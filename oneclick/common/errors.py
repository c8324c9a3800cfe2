"""The kinds of user error (bad input data, bad params, an unreachable cluster), and how they show values."""

EXAMPLES = 5  # offending values shown per problem, then a count


def examples(values) -> str:
    """The first offending values of a problem, then how many more: "['a', 'b' and 3 more]"."""
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:EXAMPLES])
    more = f" and {len(values) - EXAMPLES} more" if len(values) > EXAMPLES else ""
    return f"[{shown}{more}]"


class DataError(ValueError):
    """A raw file is missing or does not match the expected format."""


class ParamsError(ValueError):
    """params.yaml has a missing or wrong value."""


class ClusterError(RuntimeError):
    """The Dask cluster of `cv.backend: dask` cannot be reached, lost its workers, or runs other packages."""
