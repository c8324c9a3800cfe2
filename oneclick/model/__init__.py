"""Models: the pipeline every family shares, its hyperparameter search, out-of-fold scores, the selection of the
winner, its calibration, its test figures, and the model files that hold it."""
