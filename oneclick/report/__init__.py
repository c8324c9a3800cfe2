"""reports/report.md and the model card, from the stage outputs."""
