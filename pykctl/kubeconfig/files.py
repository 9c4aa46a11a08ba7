"""Reading, writing and locking one kubeconfig file.

Writes are atomic: the new content goes to a temporary file in the same directory which then
replaces the original, so a crash never leaves a half-written kubeconfig. A new file is created
with mode 0600 (and missing parent directories with 0755), an existing file keeps its mode.
Concurrent writers are kept apart as client-go does, with a ``FILE.lock`` created exclusively.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator

from backends.objects import goyaml
from pykctl.kubeconfig import schema
from pykctl.kubeconfig.errors import KubeconfigError
from pykctl.kubeconfig.model import Config


def load_file(path: str) -> Config:
    """The config in ``path``. Raises FileNotFoundError, or KubeconfigError with kubectl's text."""
    with open(path, "rb") as f:
        data = f.read()
    return parse(data, path)


def parse(data: bytes, path: str) -> Config:
    """Decode kubeconfig bytes read from ``path`` (used in messages and as origin)."""
    if not data:
        return Config()
    try:
        document = goyaml.loads(data)
        internal = schema.decode_config(document)
    except (goyaml.YAMLSyntaxError, schema.DecodeError) as err:
        raise KubeconfigError(f'error loading config file "{path}": {err}') from None
    return Config.from_internal(internal, origin=path)


def load_or_empty(path: str) -> Config:
    """client-go's getConfigFromFile: a missing file is an empty config."""
    try:
        return load_file(path)
    except FileNotFoundError:
        return Config()


def serialize(config: Config) -> str:
    """The file content kubectl writes for ``config``."""
    return goyaml.dumps(schema.encode_config(config.to_internal()))


def write_file(config: Config, path: str) -> None:
    """Atomically replace ``path`` with ``config``."""
    content = serialize(config).encode()
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o755, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o600
    import tempfile  # writes only

    fd, tmp = tempfile.mkstemp(prefix=".kubeconfig-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(paths: list[str]) -> Iterator[None]:
    """Hold ``PATH.lock`` for every path (in sorted order, as client-go) while the body runs."""
    held: list[str] = []
    try:
        for path in sorted(paths):
            directory = os.path.dirname(path) or "."
            os.makedirs(directory, mode=0o755, exist_ok=True)
            lock = path + ".lock"
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_RDONLY, 0)
            except FileExistsError:
                raise KubeconfigError(f"open {lock}: file exists") from None
            os.close(fd)
            held.append(lock)
        yield
    finally:
        for lock in held:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock)
