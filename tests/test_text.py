"""Cleaning one-line texts such as display names."""

import pytest

from buurtnet.core.text import clean_line


@pytest.mark.parametrize(
    "invisible",
    [
        "\u202e",  # right-to-left override: "Anna\u202eexe.txt" shows as "Annatxt.exe"
        "\u202d",  # left-to-right override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # byte order mark / zero-width no-break space
    ],
)
def test_invisible_characters_are_removed_from_names(invisible: str) -> None:
    assert clean_line(f"{invisible}An{invisible}na de Vries{invisible}", 60) == "Anna de Vries"


def test_a_name_made_only_of_invisible_characters_is_empty() -> None:
    assert clean_line("\u200b\u200d\ufeff\u202e", 60) == ""


def test_look_alike_of_another_name_is_reduced_to_it() -> None:
    assert clean_line("ann\u200ba", 60) == clean_line("anna", 60) == "anna"


def test_control_characters_are_removed_and_whitespace_collapsed() -> None:
    assert clean_line("An\x00na\x1b\x7f \r\n de\tVries ", 60) == "Anna de Vries"


def test_text_is_normalised_and_cut_to_length() -> None:
    assert clean_line("Jose\u0301", 60) == "Jos\u00e9"
    assert clean_line("x" * 100, 60) == "x" * 60
