"""What every stage runs on: errors, atomic writers, the stage runner, params-checking helpers, repository paths.

Every stage imports all of it, so it is one dependency in dvc.yaml; the helpers that only some stages need are
modules of their own at the package's top (stats, markdown, plots)."""
