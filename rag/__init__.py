"""A question-answering assistant over news articles that cites every sentence it says."""

from rag.offline import go_offline

go_offline()

from rag.answer import Answer, Citation  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.config import Settings, load_settings  # noqa: E402
from rag.errors import RagError  # noqa: E402

__all__ = ["Answer", "Assistant", "Citation", "RagError", "Settings", "load_settings"]
