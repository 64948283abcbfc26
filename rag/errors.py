"""User-facing errors: each says what went wrong and what to do, so the CLI can print it without a traceback."""


class RagError(Exception):
    """A problem the user can fix; the message says how."""

    exit_code = 1


class BadInputError(RagError):
    """The question or arguments are unusable (exit code 2, like a usage error)."""

    exit_code = 2


class ConfigError(RagError):
    """A setting or the settings file is invalid."""


class ModelMissingError(RagError):
    """A model that must ship inside a package is not installed."""


class StoreError(RagError):
    """The Chroma store is missing, unreadable or unreachable."""


class NothingIndexedError(RagError):
    """Indexing found no file it could use."""
