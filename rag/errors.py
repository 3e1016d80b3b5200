"""Errors a user can act on. The CLI and the app print the message, never a traceback."""


class CrossreadError(Exception):
    """Base class: the message is written for the user."""


class IngestError(CrossreadError):
    """An input could not be ingested; the message names the input and the reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreError(CrossreadError):
    """The document or vector store is missing, empty or unreachable."""


class DocumentNotFound(CrossreadError):
    """No document with that id in the collection."""


class ProviderUnavailable(CrossreadError):
    """A generator's model or server could not be reached or loaded."""


class InvalidQuestion(CrossreadError):
    """The question is empty or too long."""


class SettingsError(CrossreadError):
    """Saved settings could not be read or written; the message names the file."""
