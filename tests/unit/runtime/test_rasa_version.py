from __future__ import annotations

import pytest

from runtime.rasa_version import PINNED_RASA, UnsupportedRasaVersion, require_pinned_rasa


def test_the_installed_rasa_is_the_pinned_release() -> None:
    require_pinned_rasa()


@pytest.mark.parametrize("installed", ["3.6.20", "3.7.0", "未安装"])
def test_any_other_rasa_fails_with_a_message_naming_both_versions(installed: str) -> None:
    with pytest.raises(UnsupportedRasaVersion) as raised:
        require_pinned_rasa(installed)
    assert PINNED_RASA in str(raised.value) and installed in str(raised.value)


def test_the_pin_matches_the_requirements_file() -> None:
    from complaint_desk.paths import PROJECT_ROOT

    pinned = (PROJECT_ROOT / "requirements" / "rasa-3.6.21-py311.txt").read_text(encoding="utf-8")
    assert f"rasa=={PINNED_RASA}" in pinned.splitlines()
