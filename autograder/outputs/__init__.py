"""Where results go: terminal, JSON, HTML feedback, JUnit, CSV and the nbgrader gradebook."""
