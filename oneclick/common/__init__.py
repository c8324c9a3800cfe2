"""The shared core every concern stands on: errors, atomic writers, the stage runner, params-checking helpers,
repository paths, Markdown tables, deterministic images and paired statistics."""
