"""A keyring backend for tests: a JSON file named by $PYKCTL_TEST_KEYRING_FILE.

Tests select it with PYTHON_KEYRING_BACKEND so that nothing ever touches the machine's real
keyring. It must be importable by subprocesses too: tests put this directory on PYTHONPATH.
"""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> str:
        return os.environ["PYKCTL_TEST_KEYRING_FILE"]

    def _load(self) -> dict[str, str]:
        try:
            with open(self._path(), encoding="utf-8") as f:
                data: dict[str, str] = json.load(f)
                return data
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, str]) -> None:
        with open(self._path(), "w", encoding="utf-8") as f:
            json.dump(data, f)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\0{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError(username)
        self._save(data)
