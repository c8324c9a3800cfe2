"""Does the model still fit? Drift of new exports and realized performance."""
