"""The store's exports: their format, loading and validation, the model table, the synthetic store, and data
under DVC."""
