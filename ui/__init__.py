"""The Gradio app: presentation only; everything it shows comes from rag's public API.

Importing `ui` sets the offline flags before Gradio is imported, so it never phones home.
"""

from rag.offline import go_offline

go_offline()
