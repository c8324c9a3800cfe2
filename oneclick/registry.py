"""Column names after the engineer step, for the pipeline's FunctionTransformer.

Model files name this function by its dotted path (oneclick.model.model_file.TRUSTED), so it stays in this module
for as long as files that name it are in use; the pipeline it belongs to is built in oneclick/model/pipeline.py.
"""

import pandas as pd

from oneclick.engineer import add_features


def engineered_names(transformer, input_features):
    """Column names after the engineer step (FunctionTransformer's feature_names_out)."""
    empty = pd.DataFrame(columns=list(input_features), dtype="float64")
    return list(add_features(empty, **transformer.kw_args).columns)
