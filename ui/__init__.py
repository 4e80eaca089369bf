"""The web app over :mod:`assistant`: a Gradio chat at ``/`` and an HTTP API under ``/api``.

``ui.app.create_app(assistant, settings)`` builds the ASGI app; ``python -m ui`` serves it. Importing this
package is cheap: gradio is only imported by ``ui.chat`` and ``ui.app``.
"""
