"""The one Rasa release the runtime code here was written and checked against.

Everything in runtime/ reaches into Rasa internals (a private processor method, a validator on
RemoteAction). Those change between releases without notice, so each is used only after
`require_pinned_rasa()` has confirmed the installed version.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

PINNED_RASA = "3.6.21"  # requirements/rasa-3.6.21-py311.txt


class UnsupportedRasaVersion(RuntimeError):
    pass


def require_pinned_rasa(installed: str | None = None) -> None:
    """Raise with a clear message unless the installed Rasa is the pinned release."""
    if installed is None:
        try:
            installed = version("rasa")
        except PackageNotFoundError:
            installed = "未安装"
    if installed != PINNED_RASA:
        raise UnsupportedRasaVersion(
            f"本项目对 Rasa 内部接口的补丁只适用于 Rasa {PINNED_RASA}，当前安装的是 {installed}。"
            f"请按 requirements/rasa-3.6.21-py311.txt 安装（make install），"
            f"或在升级 Rasa 后重新核对 runtime/ 中的补丁。"
        )
