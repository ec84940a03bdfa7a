"""nbgrader course configuration: run nbgrader commands from this folder.

    cd course
    nbgrader db student add alice && nbgrader collect perceptron
    nbgrader autograde perceptron
    nbgrader formgrader / generate_feedback / export

Regenerate assignments/ with `python -m autograder.instructor.build` (it runs nbgrader's
generate_assignment and then adds the public tests beside each notebook, which a
bare `nbgrader generate_assignment --force` would delete).

The repository is the course directory: instructor sources live in solutions/<id>/,
student versions in assignments/<id>/ (nbgrader's "release" folder), submissions
in submitted/<student>/<id>/ beside them. Test cells hand grading over to the
neurograde engine (autograder/notebook.py), so nbgrader's points per cell equal
`neurograde grade`'s points for the cell's tasks.
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
