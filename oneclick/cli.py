"""Run a stage's main(): a user error becomes one message on stderr and exit code 1."""

import sys
import warnings

from oneclick.errors import DataError, ParamsError


def run(main) -> None:
    warnings.simplefilter("default")  # show, never hide: the pinned stack is warning-free
    try:
        main()
    except (DataError, ParamsError) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
