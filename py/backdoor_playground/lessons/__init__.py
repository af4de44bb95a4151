"""Guided lessons for a class (issue #16): each a sequence of steps whose state is a URL hash, with the control to
use, a prediction to make before the result is revealed, and a check of the outcome. The steps are data
(`table.LESSONS`); build.py writes `table.lessons_json()` into the page as js/lessons/lesson-table.js."""
