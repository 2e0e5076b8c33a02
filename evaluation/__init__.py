"""The core of the partnership evaluation dashboard: store, importer, method, figures, exports.

Nothing in this package imports Streamlit, so the command line, the tests and
the pages all run the same code.
"""
