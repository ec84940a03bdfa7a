"""nbgrader course configuration: run nbgrader commands from this folder.

From the top of the repository, as in README.md ("The nbgrader door"):

    neurograde nbgrader-setup            # record the assignments in course/gradebook.db
    cd course
    nbgrader db student add alice
    (put alice's notebook at ../submitted/alice/perceptron/perceptron.ipynb,
     or `nbgrader collect perceptron` with nbgrader's exchange)
    nbgrader autograde perceptron --force
    nbgrader generate_feedback perceptron --force
    nbgrader export

The repository is the course directory: instructor sources live in solutions/<id>/,
student versions in assignments/<id>/ (nbgrader's "release" folder, committed, with
the public tests beside each notebook), submissions in submitted/<student>/<id>/, and
nbgrader's autograded/ and feedback/ beside them (ignored by git, like the gradebook).
Do not run `nbgrader generate_assignment` here: it skips the committed release
folder, or with --force deletes the public tests from it. `neurograde nbgrader-setup`
records in the gradebook what generate_assignment would, without writing any file
but the gradebook; `python -m autograder.instructor.build` regenerates assignments/.
Test cells hand grading over to the neurograde engine (autograder/notebook.py), so
nbgrader's points per cell equal `neurograde grade`'s points for the cell's tasks.
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

_root = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
c.CourseDirectory.course_id = "neurograde"
c.CourseDirectory.root = _root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_root, "course", "gradebook.db")
# Instructor-only material beside the source notebooks never reaches students.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            "mutants.toml", "alternatives", "cheaters", "*.md"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# A test cell that hands over to the engine grades the whole notebook, within the
# engine's own limits (an assignment's time_budget plus 90 s to start, 330 s at
# most): nbgrader's 30 s per cell would turn a slow machine's grading into a
# timeout. The kernel's output may also lag behind its reply while TensorFlow
# loads on a busy machine.
c.Execute.timeout = 600
c.Execute.iopub_timeout = 60
