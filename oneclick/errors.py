"""The two kinds of user error: bad input data and bad params."""


class DataError(ValueError):
    """A raw file is missing or does not match the expected format."""


class ParamsError(ValueError):
    """params.yaml has a missing or wrong value."""
