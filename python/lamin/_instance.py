"""The current instance, opened once per process, and the settings saves use."""

from __future__ import annotations

import os
import threading
from types import SimpleNamespace
from typing import Any

from . import _lamin

_lock = threading.Lock()
_current: _lamin.Instance | None = None


def handle() -> _lamin.Instance:
    """The open current instance (opened on first use, as ``import lamindb`` connects)."""
    global _current
    with _lock:
        if _current is None:
            _current = _lamin.open_current()
        return _current


def _set(instance: _lamin.Instance | None) -> None:
    global _current
    with _lock:
        _current = instance
    settings._storage = ""


def connect(instance: str | None = None) -> None:
    """Opens the instance ``NAME`` or ``OWNER/NAME`` and makes it current (``ln.connect``)."""
    if instance is None:
        _set(_lamin.open_current())
        return
    _require_text(instance, "instance")
    _set(_lamin.connect(instance))


def _require_text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


class Settings:
    """``ln.settings``: where saves go, and the instance they go to."""

    def __init__(self) -> None:
        self._storage = ""

    @property
    def storage(self) -> str:
        """The root saves go to: a location registered in the instance (``lamin storage add``)."""
        return self._storage or handle().info()["storage_root"]

    @storage.setter
    def storage(self, root: str | os.PathLike) -> None:
        root = os.fspath(root)
        roots = [s["root"] for s in handle().storages()]
        if root not in roots:
            from .errors import ValidationError

            raise ValidationError(
                f"'{root}' is not a storage location of this instance: add it with "
                f"ln.setup.add_storage() (registered: {', '.join(roots)})"
            )
        self._storage = root

    @property
    def instance(self) -> SimpleNamespace:
        """The current instance: slug, owner, name, uid, storage root, db (password masked)."""
        info = handle().info()
        return SimpleNamespace(
            slug=info["slug"],
            owner=info["owner"],
            name=info["name"],
            uid=info["uid"],
            root=info["storage_root"],
            db=info["db"],
            n_artifacts=info["n_artifacts"],
        )

    @property
    def user(self) -> SimpleNamespace:
        return SimpleNamespace(handle=handle().info()["user"])

    def __repr__(self) -> str:
        return f"Settings(instance={self.instance.slug!r}, storage={self.storage!r})"


settings = Settings()


class _Setup:
    """``ln.setup``: create, connect, disconnect and delete instances; add storage."""

    settings = settings

    @staticmethod
    def init(*, storage: str | os.PathLike, name: str | None = None, db: str | None = None) -> None:
        """Creates an instance and makes it current (``lamin init``)."""
        _set(_lamin.init(os.fsencode(storage), name or "", db or ""))

    @staticmethod
    def connect(instance: str) -> None:
        connect(instance)

    @staticmethod
    def disconnect() -> None:
        _lamin.disconnect()
        _set(None)

    @staticmethod
    def delete(instance: str, *, force: bool = False, delete_data: bool = False) -> list[str]:
        """Deletes an instance (needs ``force=True``); returns what it could not reach."""
        if not force:
            raise ValueError(f"deleting instance '{instance}' needs force=True")
        left = _lamin.delete_instance(_require_text(instance, "instance"), delete_data)
        _set(None)
        return list(left)

    @staticmethod
    def add_storage(root: str | os.PathLike, description: str = "") -> dict:
        """Registers another storage location of the current instance (``lamin storage add``)."""
        return handle().add_storage(os.fsencode(root), description)


setup = _Setup()
