"""A neighbourhood's CBS code and number of homes: the rules for what may be stored, who may set
them (an admin everywhere, a director for their own), the audit log, the form in Dutch, and the
admin's upload of a CBS file, all or nothing."""

from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from buurtnet.core import neighbourhoods, permissions
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.neighbourhood_figures import NeighbourhoodFigures, checked
from buurtnet.db import Database
from buurtnet.models import Account, ActionKind, Duty, ModerationAction, Neighbourhood, Role
from buurtnet.moderation import figure_settings
from tests.conftest import csrf_token, log_in, make_account, post_form

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("code", "homes", "expected"),
    [
        (" bu03630000 ", "812", NeighbourhoodFigures("BU03630000", 812)),
        ("", "", NeighbourhoodFigures(None, None)),
        ("  ", " ", NeighbourhoodFigures(None, None)),
        ("BU19000001", "1.512", NeighbourhoodFigures("BU19000001", 1512)),
        ("BU19000001", "1 000 000", NeighbourhoodFigures("BU19000001", 1_000_000)),
        ("", "1", NeighbourhoodFigures(None, 1)),
    ],
)
def test_good_figures(code: str, homes: str, expected: NeighbourhoodFigures) -> None:
    assert checked(code, homes) == expected


@pytest.mark.parametrize(
    ("code", "homes", "errors"),
    [
        ("BU0363000", "", {"cbs_code": "cbs_code_invalid"}),
        ("WK036300", "", {"cbs_code": "cbs_code_invalid"}),
        ("BU 03630000", "", {"cbs_code": "cbs_code_invalid"}),
        ("BU0363000٣", "", {"cbs_code": "cbs_code_invalid"}),  # an Arabic-Indic digit
        ("", "0", {"homes": "homes_invalid"}),
        ("", "1000001", {"homes": "homes_invalid"}),
        ("", "-5", {"homes": "homes_invalid"}),
        ("", "12,5", {"homes": "homes_invalid"}),
        ("", "1.5", {"homes": "homes_invalid"}),
        ("", "veel", {"homes": "homes_invalid"}),
        ("", "9" * 5000, {"homes": "homes_invalid"}),
        ("XX", "nul", {"cbs_code": "cbs_code_invalid", "homes": "homes_invalid"}),
    ],
)
def test_wrong_figures_name_every_field(code: str, homes: str, errors: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked(code, homes)
    assert refused.value.errors == errors


async def two_neighbourhoods(database: Database) -> tuple[Neighbourhood, Neighbourhood]:
    async with database.transaction() as session:
        here = await neighbourhoods.create_neighbourhood(session, "vogelwijk", "Vogelwijk")
        there = await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivierenbuurt")
    return here, there


async def set_as(
    database: Database, who: Account, neighbourhood: Neighbourhood, code: str, homes: str
) -> None:
    assert neighbourhood.id is not None
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, who)
        await figure_settings.set_figures(session, who, roles, neighbourhood.id, code, homes)


async def stored(database: Database, neighbourhood: Neighbourhood) -> tuple[str | None, int | None]:
    async with database.reading() as session:
        found = await session.get(Neighbourhood, neighbourhood.id)
        assert found is not None
        return found.cbs_code, found.homes


async def audit_entries(database: Database) -> list[tuple[str, str, int | None, str]]:
    async with database.reading() as session:
        found = await session.exec(select(ModerationAction).order_by(col(ModerationAction.id)))
        return [
            (entry.kind, entry.moderator_name, entry.neighbourhood_id, entry.reason)
            for entry in found.all()
        ]


async def test_a_director_sets_their_own_and_it_is_logged(database: Database) -> None:
    here, there = await two_neighbourhoods(database)
    dirk = await make_account(database, "dirk", neighbourhood=here, duty=Duty.DIRECTOR)
    await set_as(database, dirk, here, "bu03630000", "1.250")
    assert await stored(database, here) == ("BU03630000", 1250)
    await set_as(database, dirk, here, "BU03630000", "1250")  # the same: nothing to log
    await set_as(database, dirk, here, "", "")
    assert await stored(database, here) == (None, None)
    assert await audit_entries(database) == [
        (ActionKind.CHANGE_SETTING, "dirk", here.id, "cbs_code=BU03630000, homes=1250"),
        (ActionKind.CHANGE_SETTING, "dirk", here.id, "cbs_code=, homes="),
    ]
    with pytest.raises(NotAllowed):
        await set_as(database, dirk, there, "BU03630001", "10")
    assert await stored(database, there) == (None, None)


async def test_an_admin_sets_any_a_moderator_none(database: Database) -> None:
    here, there = await two_neighbourhoods(database)
    admin = await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=here)
    await set_as(database, admin, there, "BU03630001", "486")
    assert await stored(database, there) == ("BU03630001", 486)
    mila = await make_account(database, "mila", neighbourhood=here, duty=Duty.MODERATOR)
    with pytest.raises(NotAllowed):
        await set_as(database, mila, here, "BU03630001", "486")
    with pytest.raises(InvalidInput):
        await set_as(database, admin, here, "BU03630001", "0")
    assert await stored(database, here) == (None, None)


# The form.


def page_of(neighbourhood: Neighbourhood) -> str:
    return f"/n/{neighbourhood.slug}/figures-settings"


async def test_the_director_uses_the_form(client: httpx.AsyncClient, database: Database) -> None:
    here, _ = await two_neighbourhoods(database)
    await make_account(database, "dirk", neighbourhood=here, duty=Duty.DIRECTOR)
    await log_in(client, "dirk")
    home = (await client.get(f"/n/{here.slug}")).text
    assert f'href="{page_of(here)}"' in home
    page = await client.get(page_of(here))
    assert page.status_code == 200 and "CBS-buurtcode" in page.text
    data = {"cbs_code": "bu03630000", "homes": "812"}
    saved = await post_form(client, page_of(here), page_of(here), data)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    assert await stored(database, here) == ("BU03630000", 812)
    again = (await client.get(saved.headers["location"])).text
    assert "Opgeslagen." in again and 'value="BU03630000"' in again and 'value="812"' in again


async def test_wrong_figures_are_explained_in_dutch(
    client: httpx.AsyncClient, database: Database
) -> None:
    here, _ = await two_neighbourhoods(database)
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")
    data = {"cbs_code": "WK036300", "homes": "veel"}
    answer = await post_form(client, page_of(here), page_of(here), data)
    assert answer.status_code == 400
    assert "Gebruik de code van een buurt bij het CBS: BU en 8 cijfers" in answer.text
    assert "Vul een heel getal in van 1 tot 1.000.000, of laat het leeg." in answer.text
    assert 'value="WK036300"' in answer.text  # what was typed stays, to correct it
    assert await stored(database, here) == (None, None)


@pytest.mark.parametrize("who", ["bewoner", "mila", "elders"])
async def test_others_may_not(client: httpx.AsyncClient, database: Database, who: str) -> None:
    here, there = await two_neighbourhoods(database)
    place, duty = {
        "bewoner": (here, None),
        "mila": (here, Duty.MODERATOR),
        "elders": (there, Duty.DIRECTOR),  # directs another neighbourhood
    }[who]
    await make_account(database, who, neighbourhood=place, duty=duty)
    await log_in(client, who)
    assert (await client.get(page_of(here))).status_code == 403
    token = await csrf_token(client, "/settings")
    data = {"csrf_token": token, "cbs_code": "BU03630000", "homes": "5"}
    assert (await client.post(page_of(here), data=data)).status_code == 403
    assert await stored(database, here) == (None, None)


# The admin's upload.


async def upload(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    token = await csrf_token(client, "/admin")
    files = {"file": ("kerncijfers.csv", content, "text/csv")}
    return await client.post("/admin/cbs-import", data={"csrf_token": token}, files=files)


@pytest.fixture
async def admin(client: httpx.AsyncClient, database: Database) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")


async def coded(database: Database, **codes: tuple[str, int | None]) -> None:
    async with database.transaction() as session:
        for slug, (code, homes) in codes.items():
            session.add(
                Neighbourhood(slug=slug, name=slug.capitalize(), cbs_code=code, homes=homes)
            )


async def homes_by_slug(database: Database) -> dict[str, int | None]:
    async with database.reading() as session:
        found = await session.exec(select(Neighbourhood).order_by(col(Neighbourhood.slug)))
        return {neighbourhood.slug: neighbourhood.homes for neighbourhood in found.all()}


async def test_the_admin_imports_a_file(
    client: httpx.AsyncClient, database: Database, admin: None
) -> None:
    await coded(
        database,
        sneek=("BU19000000", 1700),
        tinga=("BU19000001", 1512),
        hemmen=("BU19000002", None),
        harinxma=("BU19000003", 900),
        elders=("BU03630000", None),
    )
    page = (await client.get("/admin")).text
    assert 'action="/admin/cbs-import"' in page and 'enctype="multipart/form-data"' in page
    answer = await upload(client, (DATA / "cbs_kwb_2023.csv").read_bytes())
    assert answer.status_code == 200, answer.text
    text = answer.text
    assert "4 CBS-buurten in het bestand." in text
    assert "1 buurt bijgewerkt." in text
    assert '<td data-label="Woningen nu">1868</td>' in text
    assert "Al bijgewerkt: Tinga." in text
    assert "Het CBS geeft geen aantal woningen voor de CBS-buurt van: Harinxma." in text
    assert "Volgens het CBS staan er geen woningen in de CBS-buurt van: Hemmen." in text
    assert "De CBS-buurt van deze buurten staat niet in het bestand: Elders." in text
    assert await homes_by_slug(database) == {
        "elders": None,
        "harinxma": 900,  # CBS does not give it: the number typed in stays
        "hemmen": None,
        "sneek": 1868,
        "tinga": 1512,
    }
    entries = await audit_entries(database)
    assert [(kind, name, reason) for kind, name, _, reason in entries] == [
        (ActionKind.CHANGE_SETTING, "beheer", "homes=1868 (CBS import, BU19000000)")
    ]


async def test_bad_lines_are_listed_with_their_number(
    client: httpx.AsyncClient, database: Database, admin: None
) -> None:
    await coded(database, zeedijk=("BU03630000", None))
    content = (DATA / "cbs_statline_85984NED.csv").read_bytes() + (
        b'"7";"BU0363000X";"Amsterdam";"Buurt     ";"BU0363000X";"1";"5";"5";"5";"5"\r\n'
        b'"8";"BU03630009";"Amsterdam";"Buurt     ";"BU03630009";"1";"5";"5";"veel";"5"\r\n'
    )
    answer = await upload(client, content)
    assert answer.status_code == 200
    assert "Regel 9 (BU0363000X): Dit is geen buurtcode: BU en 8 cijfers." in answer.text
    assert "Regel 10 (BU03630009): Het aantal woningen is geen heel getal" in answer.text
    assert await homes_by_slug(database) == {"zeedijk": 812}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Kies eerst een CSV-bestand."),
        (b"naam;woningen\nDe Wijk;12\n", "In dit bestand staan geen kolommen die wij kennen"),
        (b"\x00\x81\x00", "Dit is geen CSV-bestand dat wij kunnen lezen."),
    ],
)
async def test_a_file_that_cannot_be_read(
    client: httpx.AsyncClient, database: Database, admin: None, content: bytes, message: str
) -> None:
    await coded(database, zeedijk=("BU03630000", 5))
    answer = await upload(client, content)
    assert answer.status_code == 400
    assert message in answer.text
    assert await homes_by_slug(database) == {"zeedijk": 5}


async def test_an_import_is_all_or_nothing(
    client: httpx.AsyncClient, database: Database, admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure halfway (here: the audit log) leaves no number of the file behind."""
    await coded(database, sneek=("BU19000000", None), tinga=("BU19000001", None))
    real_record = figure_settings.audit.record
    calls = 0

    async def failing(*args: object, **kwargs: object) -> ModerationAction:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the disk is full")
        return await real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(figure_settings.audit, "record", failing)
    with pytest.raises(RuntimeError):
        await upload(client, (DATA / "cbs_kwb_2023.csv").read_bytes())
    assert await homes_by_slug(database) == {"sneek": None, "tinga": None}
