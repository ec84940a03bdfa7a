"""neurograde: one grading engine for a deep-learning course kit.

The command line (`autograder.cli`), nbgrader and Gradescope all call
`autograder.engine.grader.grade_submission`, so a submission earns the same score
whichever door it comes through.
"""

__version__ = "0.1.0"
