"""Files and upload sessions, on disk behind one small store (:class:`FileStore`)."""

from .filestore import NAME_PATTERN, FileStore
from .progress import Appender
from .records import PendingUpload, StoredFile

__all__ = ["NAME_PATTERN", "Appender", "FileStore", "PendingUpload", "StoredFile"]
