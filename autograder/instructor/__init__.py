"""Instructor tools: audit, variants, notebook build, release, leak scan, Gradescope bundle."""
