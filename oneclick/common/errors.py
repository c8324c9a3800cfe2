"""The two kinds of user error: bad input data and bad params."""


class DataError(ValueError):
    """A raw file is missing or does not match the expected format."""


class ParamsError(ValueError):
    """params.yaml has a missing or wrong value."""


class ClusterError(RuntimeError):
    """The Dask cluster of `cv.backend: dask` cannot be reached, lost its workers, or runs other packages."""
