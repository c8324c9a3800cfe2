"""Developer commands that run no pipeline stage: review summary, real-data results table, sandbox repo copies.

Outside the `oneclick` package on purpose: every stage depends on that directory, so editing these re-runs nothing.
"""
