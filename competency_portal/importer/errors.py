"""The one error the importer raises: the document cannot be read, and what to do about it."""


class ImportRefused(ValueError):
    """The file cannot be turned into a draft; the message says why and what to do next."""
