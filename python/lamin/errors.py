"""Exceptions of lamin, shaped as Python code expects them.

Each is a subclass of the built-in exception a Python programmer would catch
(``LookupError`` for a record that does not exist, ``FileNotFoundError`` for a
missing path, ``PermissionError``, ``ValueError``, ``OSError``), and carries
the library's status code in ``.code``. The names follow ``lamindb.errors``
where LaminDB has one (``DoesNotExist``, ``MultipleResultsFound``,
``ValidationError``, ``IntegrityError``).
"""

from __future__ import annotations


class LaminError(Exception):
    """Mixin of every lamin exception: ``code`` is the library's status code."""

    code: str = "Internal"


class DoesNotExist(LaminError, LookupError):
    """No record matches (``Artifact.get``, ``QuerySet.one``)."""

    code = "NotFound"


# Django's name, which LaminDB code also catches.
ObjectDoesNotExist = DoesNotExist


class MultipleResultsFound(LaminError, LookupError):
    """``QuerySet.one()`` found more than one record."""

    code = "InvalidArgument"


class ValidationError(LaminError, ValueError):
    """Invalid input: a bad key, field, lookup, value or name. Nothing was written."""

    code = "InvalidArgument"


class AlreadyExists(LaminError, ValueError):
    """The thing to create exists (an instance, a storage location, a name with another dtype)."""

    code = "AlreadyExists"


class FileNotFound(LaminError, FileNotFoundError):
    """A path to save, or an object's data, is missing."""

    code = "NotFound"


class PermissionDenied(LaminError, PermissionError):
    """The storage or the database refused access."""

    code = "PermissionDenied"


class StorageError(LaminError, OSError):
    """Storage or database failure; the call changed nothing."""

    code = "IOError"


class Unavailable(LaminError, ConnectionError):
    """A server could not be reached, or another writer holds what is needed."""

    code = "Unavailable"


class InstanceNotSetup(LaminError, RuntimeError):
    """No current instance, or the instance is not in a state to do this."""

    code = "FailedPrecondition"


class IntegrityError(LaminError, RuntimeError):
    """Stored data or metadata is not what it should be (a changed object, a broken row)."""

    code = "Corruption"


class Aborted(LaminError, RuntimeError):
    """A transaction lost a race or was cancelled; retrying may succeed."""

    code = "Aborted"


class InternalError(LaminError, RuntimeError):
    """A bug in lamin."""

    code = "Internal"


class SaveError(LaminError, RuntimeError):
    """A batch (``ln.save``) failed; its message has LaminDB's shape.

    ``saved`` holds what was kept (only with ``keep_successful=True``), ``failed``
    the ``(path, exception)`` pairs; the first exception is also ``__cause__``.
    """

    code = "Aborted"

    def __init__(self, message: str, saved: list | None = None, failed: list | None = None):
        super().__init__(message)
        self.saved = saved or []
        self.failed = failed or []


_BY_CODE = {
    "NotFound": DoesNotExist,
    "AlreadyExists": AlreadyExists,
    "InvalidArgument": ValidationError,
    "FailedPrecondition": InstanceNotSetup,
    "IOError": StorageError,
    "Corruption": IntegrityError,
    "Aborted": Aborted,
    "Unavailable": Unavailable,
    "PermissionDenied": PermissionDenied,
    "Internal": InternalError,
}


def _from_status(code: str, message: str, about: str = "record") -> LaminError:
    """The exception for a library status (called by lamin._lamin, the one table of codes)."""
    if code == "NotFound" and about == "path":
        return FileNotFound(message)
    return _BY_CODE.get(code, InternalError)(message)
