"""The grading engine: ingest, sandbox, runner, judge and the grading loop."""
