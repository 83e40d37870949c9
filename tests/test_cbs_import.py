"""Reading a CBS "Kerncijfers wijken en buurten" file (core/cbs_import): both shapes from the
samples in tests/data, the encodings and separators people save it with, junk reported by line,
files refused as a whole, and fuzzing: nothing but `UnreadableFile` ever comes out. Then the
import itself on the command line, in-process on both databases and once as a real process."""

import contextlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from buurtnet import cli
from buurtnet.core import cbs_import
from buurtnet.core.cbs_import import LineProblem, Shape, UnreadableFile, read_cbs_csv
from buurtnet.db import Database
from buurtnet.models import ActionKind, ModerationAction, Neighbourhood
from tests.test_cli import assert_one_line_error, clean_env, run

DATA = Path(__file__).parent / "data"
STATLINE = DATA / "cbs_statline_85984NED.csv"
KWB = DATA / "cbs_kwb_2023.csv"
STATLINE_HOMES = {"BU03630000": 812, "BU03630001": 486, "BU03630003": 1544}
KWB_HOMES = {"BU19000000": 1868, "BU19000001": 1512, "BU19000002": 0}
HEADER = "gwb_code_10;recs;a_woning\n"


def read_text(text: str) -> cbs_import.ReadFile:
    return read_cbs_csv(text.encode())


def test_the_statline_sample_gives_its_buurten_only() -> None:
    read = read_cbs_csv(STATLINE.read_bytes())
    assert read.shape == Shape.STATLINE
    assert read.homes == STATLINE_HOMES  # the land, gemeente and wijk rows are passed over
    assert read.unknown == {"BU03630002"}  # "       ." : CBS does not give it
    assert read.buurten == 4
    assert read.problems == []


def test_the_kwb_sample_in_windows_1252_with_commas() -> None:
    data = KWB.read_bytes()
    assert "Súdwest".encode("cp1252") in data  # not UTF-8: the fallback is used
    read = read_cbs_csv(data)
    assert read.shape == Shape.KWB
    assert read.homes == KWB_HOMES  # "Sneek, binnenstad" is quoted; 0 homes is a figure
    assert read.unknown == {"BU19000003"}
    assert read.problems == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_every_encoding_and_separator(encoding: str, delimiter: str) -> None:
    rows = [
        ["gwb_code_10", "regio", "recs", "a_woning"],
        ["GM0014", "Groningen", "Gemeente", "120000"],
        ["BU00140000", "Binnenstad-Oost", "Buurt", "2105"],
        ["BU00140001", "Binnenstad-Zuid, Hortus", "Buurt", "1450"],
    ]
    text = "\n".join(
        delimiter.join(f'"{value}"' if delimiter in value else value for value in row)
        for row in rows
    )
    read = read_cbs_csv(text.encode(encoding))
    assert read.homes == {"BU00140000": 2105, "BU00140001": 1450}


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending(ending: str) -> None:
    text = ending.join(["gwb_code;recs;a_woning", "BU00140000;Buurt;5", "BU0014000;Buurt;6", ""])
    read = read_text(text)
    assert read.homes == {"BU00140000": 5}
    assert read.problems == [LineProblem(3, "BU0014000", cbs_import.CODE_INVALID)]


def test_statline_labels_below_a_title() -> None:
    """StatLine's own download names the columns by their labels, under a title line."""
    text = (
        '"Kerncijfers wijken en buurten 2023"\n'
        "\n"
        '"Wijken en buurten";"Regioaanduiding/Soort regio (omschrijving)";'
        '"Regioaanduiding/Codering (code)";"Wonen/Woningvoorraad (aantal)"\n'
        '"Groningen";"Gemeente";"GM0014";"120000"\n'
        '"Binnenstad-Oost";"Buurt";"BU00140000";"2105"\n'
        '"Bron: CBS"\n'
    )
    read = read_text(text)
    assert read.shape == Shape.STATLINE
    assert read.homes == {"BU00140000": 2105}
    assert read.problems == []


def test_without_a_kind_of_region_the_code_decides() -> None:
    read = read_text("gwb_code;a_woning\nGM0014;120000\nWK001400;8000\nbu00140000 ;2105\n")
    assert read.homes == {"BU00140000": 2105}


def test_kwb_code_8_is_not_taken_for_the_code() -> None:
    read = read_text("gwb_code_8,gwb_code,recs,a_woning\n140000,BU00140000,Buurt,2105\n")
    assert read.homes == {"BU00140000": 2105}


@pytest.mark.parametrize(
    ("value", "homes"),
    [
        ("2105", 2105),
        (" 2105 ", 2105),
        ("2105.0", 2105),  # a spreadsheet's whole number
        ("2105,00", 2105),
        ("1.000", 1000),  # a thousands separator, as Dutch spreadsheets write it: not 1.0
        ("2.105", 2105),
        ("1,000", 1000),
        ('"1.250"', 1250),
        ("0", 0),
        ("1000000", 1_000_000),
        (".", None),
        ("", None),
        ("       .", None),
        ("x", None),
        ("NaN", None),
        ("-99997", None),  # CBS's code for secret in its geodata
    ],
)
def test_values(value: str, homes: int | None) -> None:
    read = read_text(f"{HEADER}BU00140000;Buurt;{value}\n")
    assert read.homes.get("BU00140000") == homes
    assert ("BU00140000" in read.unknown) == (homes is None)
    assert read.problems == []


def test_junk_lines_are_reported_by_their_number() -> None:
    text = (
        HEADER  # line 1
        + "BU00140000;Buurt;2105\n"  # 2: good
        + "BU0014000;Buurt;12\n"  # 3: a digit short
        + "BU00140001;Buurt;12a\n"  # 4: not a number
        + "BU00140002;Buurt;1000001\n"  # 5: too many
        + "\n"  # 6: empty, passed over
        + "BU00140000;Buurt;2105\n"  # 7: the same again does no harm
        + "BU00140000;Buurt;2106\n"  # 8: another number for it
        + "WK001400;Wijk;zomaar iets\n"  # 9: a wijk: not read at all
        + 'BU00140003;Buurt;"'
        + "9" * 200_000
        + '"\n'  # 10: a field past the csv limit
        + "BU00140004;Buurt;77\n"  # 11: good again
    )
    read = read_text(text)
    assert read.homes == {"BU00140000": 2105, "BU00140004": 77}
    assert read.problems == [
        LineProblem(3, "BU0014000", cbs_import.CODE_INVALID),
        LineProblem(4, "BU00140001", cbs_import.HOMES_INVALID),
        LineProblem(5, "BU00140002", cbs_import.HOMES_INVALID),
        LineProblem(8, "BU00140000", cbs_import.CODE_REPEATED),
        LineProblem(10, "", cbs_import.LINE_UNREADABLE),
    ]


def test_line_numbers_count_the_title_above_the_header() -> None:
    read = read_text('"Een titel"\n' + HEADER + "BU1;Buurt;5\n")
    assert read.problems == [LineProblem(3, "BU1", cbs_import.CODE_INVALID)]


def test_only_the_first_problems_are_listed() -> None:
    lines = "".join(f"BU{number};Buurt;1\n" for number in range(cbs_import.MAX_PROBLEMS + 7))
    read = read_text(HEADER + lines)
    assert len(read.problems) == cbs_import.MAX_PROBLEMS
    assert read.more_problems == 7


def test_progress_is_told_for_long_files() -> None:
    told: list[int] = []
    lines = "".join(f"BU{number:08d};Buurt;{number % 900 + 1}\n" for number in range(25_000))
    read = read_cbs_csv((HEADER + lines).encode(), told.append)
    assert len(read.homes) == 25_000
    assert told == [10_000, 20_000]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"x" * (cbs_import.MAX_BYTES + 1), cbs_import.FILE_TOO_LARGE),
        (b"gwb_code;a_woning\nBU00140000;\x00\x81\n", cbs_import.FILE_NOT_TEXT),
        (b"\xff\xfeg\x00w\x00b", cbs_import.FILE_NOT_TEXT),  # UTF-16 cut in the middle
        (b"", cbs_import.FILE_NO_COLUMNS),
        (b"naam;woningen\nDe Wijk;12\n", cbs_import.FILE_NO_COLUMNS),
        (b"gwb_code;regio\nBU00140000;Binnenstad\n", cbs_import.FILE_NO_COLUMNS),
        (b"\n" * (cbs_import.HEADER_SEARCH_LINES) + HEADER.encode(), cbs_import.FILE_NO_COLUMNS),
    ],
)
def test_files_refused_as_a_whole(data: bytes, code: str) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_cbs_csv(data)
    assert refused.value.errors == {"file": code}


def test_a_header_line_too_long_is_passed_over() -> None:
    text = "x" * (cbs_import.HEADER_MAX_LENGTH + 10) + "\n" + HEADER + "BU00140000;Buurt;5\n"
    assert read_text(text).homes == {"BU00140000": 5}


def check_read(read: cbs_import.ReadFile) -> None:
    for code, homes in read.homes.items():
        assert cbs_import.is_cbs_code(code) and 0 <= homes <= cbs_import.MAX_HOMES
    assert not set(read.homes) & read.unknown
    assert len(read.problems) <= cbs_import.MAX_PROBLEMS


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_reading_or_the_files_refusal(data: bytes) -> None:
    with contextlib.suppress(UnreadableFile):
        check_read(read_cbs_csv(data))


CELLS = st.one_of(
    st.sampled_from(["Buurt", "Wijk", "buurt ", ".", "", "BU00140000", "bu0014000", "12", "-1"]),
    st.from_regex(r"BU[0-9]{6,9}", fullmatch=True),
    st.integers(min_value=-(10**9), max_value=10**9).map(str),
    st.text(max_size=12),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from([HEADER, "WijkenEnBuurten,SoortRegio_2,Woningvoorraad_34\n"]),
    rows=st.lists(st.lists(CELLS, max_size=5), max_size=20),
    quote=st.booleans(),
)
def test_any_rows_under_a_good_header(header: str, rows: list[list[str]], quote: bool) -> None:
    delimiter = ";" if ";" in header else ","
    lines = [delimiter.join(f'"{cell}"' if quote else cell for cell in row) for row in rows]
    with contextlib.suppress(UnreadableFile):
        check_read(read_cbs_csv((header + "\n".join(lines)).encode("utf-8", "replace")))


# The command line.


async def coded(database: Database, **codes: str) -> None:
    """Neighbourhoods (slug → CBS code), none with a number of homes yet."""
    async with database.transaction() as session:
        for slug, code in codes.items():
            session.add(Neighbourhood(slug=slug, name=slug.capitalize(), cbs_code=code))


async def homes_by_slug(database: Database) -> dict[str, int | None]:
    async with database.reading() as session:
        found = await session.exec(select(Neighbourhood).order_by(col(Neighbourhood.slug)))
        return {neighbourhood.slug: neighbourhood.homes for neighbourhood in found.all()}


async def test_the_command_imports_and_reports(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    await coded(database, zeedijk="BU03630000", nergens="BU99999999", onbekend="BU03630002")
    async with database.transaction() as session:
        session.add(Neighbourhood(slug="zonder", name="Zonder"))  # no code: left alone
    await cli.import_cbs(database, STATLINE)
    out = capsys.readouterr().out
    assert "4 CBS buurten in the file (statline)." in out
    assert "1 neighbourhoods updated." in out
    assert "Zeedijk (BU03630000): none → 812" in out
    assert "CBS gives no number of homes: Onbekend." in out
    assert "Not in the file: Nergens." in out
    assert await homes_by_slug(database) == {
        "nergens": None,
        "onbekend": None,
        "zeedijk": 812,
        "zonder": None,
    }
    async with database.reading() as session:
        logged = (await session.exec(select(ModerationAction))).all()
    assert [(entry.kind, entry.moderator_name, entry.reason) for entry in logged] == [
        (ActionKind.CHANGE_SETTING, "", "homes=812 (CBS import, BU03630000)")
    ]
    # Again: nothing changes, nothing more is logged.
    await cli.import_cbs(database, STATLINE)
    assert "Already up to date: Zeedijk." in capsys.readouterr().out


async def test_the_command_reports_bad_lines_and_zero_homes(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await coded(database, hemmen="BU19000002")
    junk = tmp_path / "kwb.csv"
    junk.write_bytes(KWB.read_bytes() + b"BU1900000X,1,Kapot,x,Buurt,BU1900000X,1,1,1,5,1\r\n")
    await cli.import_cbs(database, junk)
    out = capsys.readouterr().out
    assert "CBS counts no homes, not changed: Hemmen." in out
    assert "line 9 (BU1900000X): This is not a buurt code: BU and 8 digits." in out
    assert await homes_by_slug(database) == {"hemmen": None}


def test_the_real_command(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    created = run(["neighbourhood", "create", "zeedijk", "--name", "Zeedijk"], env)
    assert created.returncode == 0, created.stderr
    with closing(sqlite3.connect(tmp_path / "buurtnet.sqlite3")) as connection, connection:
        connection.execute("UPDATE neighbourhood SET cbs_code = 'BU03630001'")
    result = run(["neighbourhood", "import-cbs", str(STATLINE)], env)
    assert result.returncode == 0, result.stderr
    assert "Zeedijk (BU03630001): none → 486" in result.stdout
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"naam;woningen\n")
    assert_one_line_error(
        run(["neighbourhood", "import-cbs", str(junk)], env), "file: This file has no columns"
    )
    assert_one_line_error(
        run(["neighbourhood", "import-cbs", str(tmp_path / "er-niet.csv")], env),
        "cannot read",
    )
