"""Customer-retention experiments for the online store "В один клик"."""

__version__ = "0.1.0"
