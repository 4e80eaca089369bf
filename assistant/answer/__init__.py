"""The answering core's report-level stages, each a small pure module over typed records.

- :mod:`~assistant.answer.reports`: which report a question (or a conversation) is about.
- :mod:`~assistant.answer.intent`: what kind of question it is (a summary, a metadata request, a fact).
- :mod:`~assistant.answer.summary`: overviews answered from a report's own summary page.
- :mod:`~assistant.answer.metadata`: title, number, date and contact of a report, from its own front matter.
- :mod:`~assistant.answer.abstention`: one calibrated decision whether the evidence answers the question.
"""
