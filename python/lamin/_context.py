"""ln.track() / ln.finish(): the calling script as a transform, and a run of it.

As Python LaminDB records a script (LAMINDB_LAYER2.md §1.4-1.5): the transform is keyed by the
script's file name with its source and hash, the run starts as "started" with cli_args and
params; artifacts saved meanwhile are its outputs and artifacts loaded its inputs; ln.finish()
marks it completed and saves what the script printed as its report ("log streams of run
<uid>"). An uncaught exception marks it errored; a process killed before ln.finish() leaves a
run that recovery marks aborted (the library records the process that carries it).
"""

from __future__ import annotations

import atexit
import datetime as _dt
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from ._instance import handle
from ._record import Run, SQLRecord, Transform

_SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey")


def _params_json(params: dict) -> str:
    """Params as LaminDB serializes them: None and empty lists dropped, dates and paths as
    text, records as "Registry[uid]", secret-looking keys redacted."""
    def plain(key: str, v: Any) -> Any:
        if any(w in key.lower() for w in _SECRET_WORDS):
            return "***REDACTED***"
        if isinstance(v, SQLRecord):
            return f"{type(v).__name__}[{v.uid}]"
        if isinstance(v, (_dt.datetime, _dt.date)):
            return v.isoformat()
        if isinstance(v, os.PathLike):
            return Path(v).as_posix()
        if isinstance(v, (list, tuple)):
            return [plain(key, x) for x in v]
        return v
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict, not {type(params).__name__}")
    import json

    kept = {str(k): plain(str(k), v) for k, v in params.items()
            if v is not None and not (isinstance(v, (list, tuple)) and not v)}
    return json.dumps(kept)


class _Tee:
    """Writes to the stream and to the run's log."""

    def __init__(self, stream: TextIO, log: TextIO) -> None:
        self._stream, self._log = stream, log

    def write(self, text: str) -> int:
        self._log.write(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._log.flush()
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Context:
    """``ln.context``: the transform and run of ``ln.track()``."""

    def __init__(self) -> None:
        self.transform: Transform | None = None
        self.run: Run | None = None
        self._log: TextIO | None = None
        self._log_path: Path | None = None
        self._streams: tuple[TextIO, TextIO] | None = None
        self._excepthook: Any = None

    def track(self, *, key: str | None = None, description: str | None = None,
              params: dict | None = None, path: str | os.PathLike | None = None) -> None:
        """Records the calling script and starts a run of it."""
        if self.run is not None:
            raise RuntimeError(f"run {self.run.uid} is being tracked: call ln.finish() first")
        script = Path(path) if path is not None else _calling_script()
        if script is None:
            raise RuntimeError("ln.track() records a script file: run it from a script "
                               "(python script.py), or pass path=")
        source = script.read_text(encoding="utf-8", errors="surrogateescape")
        h = handle()
        transform = h.save_transform(key or script.name, "script", source, description)
        environment = _write_environment()
        try:
            run = h.start_run(transform["uid"], _params_json(params) if params else None,
                              " ".join(sys.argv[1:]) or None, None, _initiated_by(),
                              os.fsencode(environment))
        finally:
            environment.unlink(missing_ok=True)
            environment.parent.rmdir()
        self.transform = Transform.get(transform["id"])
        self.run = Run.get(run["id"])
        self._start_log()
        self._excepthook = sys.excepthook
        sys.excepthook = self._on_uncaught
        print(f"→ started Run('{self.run.uid}') of Transform('{self.transform.key}')")

    def finish(self) -> None:
        """Marks the run completed and saves its log as the run's report."""
        if self.run is None:
            raise RuntimeError("no run is tracked: call ln.track() first")
        self._end("completed")

    def _start_log(self) -> None:
        import tempfile

        folder = _cache_dir()
        fd, name = tempfile.mkstemp(prefix=f"run_logs_{self.run.uid}_", suffix=".txt", dir=folder)
        self._log = os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape")
        self._log_path = Path(name)
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, self._log)  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, self._log)  # type: ignore[assignment]
        atexit.register(self._at_exit)

    def _stop_log(self) -> Path | None:
        if self._streams is not None:
            sys.stdout, sys.stderr = self._streams
            self._streams = None
        if self._log is not None:
            self._log.close()
            self._log = None
        return self._log_path

    def _end(self, status: str) -> None:
        assert self.run is not None
        log = self._stop_log()
        if self._excepthook is not None:
            sys.excepthook, self._excepthook = self._excepthook, None
        try:
            run = handle().finish_run(self.run.uid, status, os.fsencode(log) if log else None)
        finally:
            if log is not None:
                log.unlink(missing_ok=True)
            self._log_path = None
            atexit.unregister(self._at_exit)
        print(f"→ finished Run('{run['uid']}'): {status}")
        self.run = None
        self.transform = None

    def _on_uncaught(self, kind: Any, value: Any, tb: Any) -> None:
        hook = self._excepthook
        if self.run is not None:
            import traceback

            traceback.print_exception(kind, value, tb)
            self._end("errored")
        elif hook is not None:
            hook(kind, value, tb)

    def _at_exit(self) -> None:
        # A script that ends without ln.finish(): Python LaminDB leaves the run "started"; the
        # library marks a run whose process ended unfinished "aborted" on recovery. Ending it
        # here as completed would claim what the script never said.
        self._stop_log()
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)


def _cache_dir() -> Path:
    folder = Path(os.environ.get("LAMIN_CACHE_DIR") or Path.home() / ".cache" / "lamindb")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_environment() -> Path:
    """The interpreter's installed distributions as `pip freeze` lists them ("name==version",
    sorted by name, case-insensitively): Python LaminDB's run environment, requirements.txt.
    Read from importlib.metadata, as pip itself may not be installed."""
    import importlib.metadata
    import tempfile

    seen: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in seen:
            seen[name.lower()] = f"{name}=={dist.version}"
    # The library describes the environment artifact by the file's name, as Python does.
    path = Path(tempfile.mkdtemp(prefix="environment_", dir=_cache_dir())) / "requirements.txt"
    path.write_text("".join(line + "\n" for _, line in sorted(seen.items())), encoding="utf-8")
    return path


def _calling_script() -> Path | None:
    main = sys.modules.get("__main__")
    file = getattr(main, "__file__", None)
    return Path(file).resolve() if file else None


def _initiated_by() -> int | None:
    uid = os.environ.get("LAMIN_INITIATED_BY_RUN_UID") or os.environ.get("LAMIN_RUN_UID")
    if not uid:
        return None
    return handle().get_run(uid)["id"]


context = Context()


def track(*, key: str | None = None, description: str | None = None, params: dict | None = None,
          path: str | os.PathLike | None = None) -> None:
    """Starts tracking the calling script: artifacts saved are its outputs, artifacts loaded its
    inputs, until ``ln.finish()``."""
    context.track(key=key, description=description, params=params, path=path)


def finish() -> None:
    """Ends the tracked run as completed, with what the script printed as its report."""
    context.finish()
