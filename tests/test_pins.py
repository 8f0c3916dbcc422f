"""The versions of the official SDKs the README names are the ones the tests pin."""

from __future__ import annotations

from pathlib import Path

from tests.test_docs import generate

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_names_each_pinned_sdk_version() -> None:
    readme = (ROOT / "README.md").read_text()
    pins = generate.pinned_versions()
    assert set(pins) == {"python", "js", "go", "java"}
    for sdk, version in pins.items():
        assert f" {version}" in readme, f"README.md does not name the pinned {sdk} SDK {version}"


def test_the_coverage_page_says_what_the_fake_does_with_every_config_and_tool_field() -> None:
    from fake_server.protocol.messages import MESSAGES

    for message, described in generate.FIELD_BEHAVIOUR.items():
        assert set(described) == set(MESSAGES[message]), message
