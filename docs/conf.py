"""Sphinx configuration of the course site (built by `python -m tools.build_site`).

The build stages this folder together with the notes as notebooks (already executed)
and runs Sphinx with MyST-NB on it. Everything the pages need is served by the site
itself: MathJax is copied from the `django-static-mathjax` package (a plain copy of
MathJax 3, no Django needed) into `_static/mathjax`, the theme ships its own icons and
uses system fonts, and no page loads anything from another host.
"""

from __future__ import annotations

import shutil
from pathlib import Path

project = "neurograde: the course"
author = "the neurograde instructors"
copyright = "the neurograde authors, MIT licence"  # noqa: A001 (Sphinx's name)

extensions = ["myst_nb"]
exclude_patterns = ["_build", "_assignment_notebooks", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# Notebooks arrive executed (tools/build_site.py runs them in parallel and caches them).
nb_execution_mode = "off"
nb_output_stderr = "remove"  # TensorFlow's start-up chatter; the notes print what matters on stdout
nb_ipywidgets_js = {}  # no widgets, and never a script from a CDN
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

# MathJax 3, served from this site.
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {"tex": {"tags": "none"}, "options": {"menuOptions": {"settings": {"zoom": "NoZoom"}}}}

html_theme = "sphinx_book_theme"
html_title = "Neural networks, from the perceptron to GANs"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_copy_source = True
html_show_sourcelink = False
html_theme_options = {
    "use_download_button": True,  # each topic page offers its notebook (.ipynb)
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}


def _copy_mathjax(app) -> None:
    """Copy the parts of MathJax that a TeX-to-CHTML page can load into _static/mathjax."""
    import mathjax  # the django-static-mathjax distribution

    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / "mathjax"
    if (target / "tex-chtml.js").is_file():
        return
    skip = shutil.ignore_patterns("*svg*", "sre", "node-main.js", "*-full*.js", "mml-*.js", "tex-mml-*.js")
    shutil.copytree(es5, target, ignore=skip, dirs_exist_ok=True)
    shutil.copy2(es5.parent / "LICENSE", target / "LICENSE")


def setup(app):
    app.connect("builder-inited", _copy_mathjax)
