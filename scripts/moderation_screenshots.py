"""Screenshots of the moderation pages at phone (360 px) and desktop (1280 px) width, to look at
before a change to them is done: `.venv/bin/python scripts/moderation_screenshots.py [FOLDER]`.

Starts the demo instance (Mila and Kees moderate the Vogelwijk, Dirk is its neighbourhood
director, Beheerder the admin; Fatima has reported Bram's advert) and adds, through the forms as
the people would: a word filter that holds a post of Bram's, a blocked server, a care signal of
Anna's that Dirk has written a note on, and Anna's report of Bram as a person. Then it shoots in
rounds, each after what the people do in between: the open report and its forms; Mila removes
the advert and closes the report (Bram's notice, the appeal form); Bram appeals (the appeals to
decide); Kees suspends him through Anna's report (the logs, the page the login shows a suspended
person). About two minutes.
"""

import sqlite3
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from scripts.event_screenshots import Demo, Fields, Shot, shoot
from scripts.screenshots import PASSWORD, WIDTHS, free_port, start_demo
from tests.browser.chromium import launch

FILTERED_WORD = "loterij"


def row_id(demo: Demo, query: str, *parameters: object) -> int:
    """The first column of the first row of `query` in the demo's database."""
    with sqlite3.connect(demo.database) as database:
        row = database.execute(query, parameters).fetchone()
    assert row, f"nothing for {query!r} in the demo"
    return int(row[0])


def prepare(demo: Demo) -> dict[str, int]:
    """What the first round needs beyond the demo; the rows by a short name."""
    vogelwijk = row_id(demo, "SELECT id FROM neighbourhood WHERE slug = 'vogelwijk'")
    bram = row_id(demo, "SELECT id FROM account WHERE username = 'bram'")
    demo.send("mila", f"/moderation/filters/{vogelwijk}", {"phrase": FILTERED_WORD})
    demo.send(
        "bram",
        "/posts",
        {
            "source": f"Doe mee met de {FILTERED_WORD} van de Vogelwijk! Win een fiets.",
            "kind": "message",
            "visibility": "neighbourhood",
        },
    )
    demo.send(
        "beheerder",
        "/admin/domains",
        {
            "domain": "spam.example",
            "severity": "suspend",
            "reject_media": "yes",
            "public_comment": "Stuurt alleen reclame.",
            "private_comment": "Veel meldingen van bewoners in maart.",
        },
    )
    care: Fields = {"concern": "isolation", "about": "De meneer op nummer 14", "may_contact": "yes"}
    care["text"] = "Ik zie hem al twee weken niet meer. De brievenbus puilt uit."
    demo.send("anna", "/care", care)
    signal = row_id(demo, "SELECT id FROM care_signal ORDER BY id DESC")
    note: Fields = {
        "outcome": "talked",
        "text": "Aangebeld, hij was ziek. Zijn dochter komt langs.",
    }
    demo.send("dirk", f"/care/{signal}/notes", note)
    person: Fields = {
        "category": "harassment",
        "comment": "Hij belt steeds aan en scheldt mij uit.",
    }
    demo.send("anna", f"/report/{bram}", person)
    return {
        "bram": bram,
        "advert": demo.post_starting("TE KOOP"),
        "advert_report": row_id(demo, "SELECT id FROM report ORDER BY id"),
        "person_report": row_id(demo, "SELECT id FROM report ORDER BY id DESC"),
        "signal": signal,
    }


def remove_advert(demo: Demo, ids: dict[str, int]) -> None:
    """Mila takes Fatima's report, removes the advert and closes the report."""
    report = f"/moderation/reports/{ids['advert_report']}"
    demo.send("mila", f"{report}/take", {})
    demo.send("mila", f"{report}/notes", {"note": "Zelfde nummer als vorige week in de lift."})
    reason = "Reclame voor een bedrijf hoort niet op Buurtnet. Zie de huisregels."
    measure: Fields = {"reason": reason, "category": "spam"}
    demo.send("mila", f"{report}/posts/{ids['advert']}/remove", measure)
    outcome = "Dank u wel. We hebben het bericht weggehaald."
    demo.send("mila", f"{report}/close", {"decision": "resolved", "outcome": outcome})
    ids["removal"] = row_id(
        demo, "SELECT id FROM moderation_action WHERE kind = 'remove_post' ORDER BY id DESC"
    )


def appeal(demo: Demo, ids: dict[str, int]) -> None:
    """Bram appeals the removal."""
    text = "Ik verkoop de panelen aan de buren, het is geen bedrijf. Ik bedoelde het goed."
    demo.send("bram", f"/appeals/{ids['removal']}", {"text": text})


def suspend(demo: Demo, ids: dict[str, int]) -> None:
    """Kees suspends Bram for a week through Anna's report."""
    reason = "U bent meerdere keren onaardig geweest tegen een buurvrouw."
    measure: Fields = {"reason": reason, "category": "harassment", "length": "7"}
    demo.send("kees", f"/moderation/reports/{ids['person_report']}/suspend", measure)


def open_all_details(page: Page) -> None:
    page.locator("main details").evaluate_all("(all) => all.forEach((d) => (d.open = true))")


def report_without_choice(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def suspended_login(page: Page) -> None:
    page.get_by_label("Gebruikersnaam").fill("bram")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Wachtwoord").press("Enter")


def first_shots(ids: dict[str, int]) -> list[Shot]:
    advert, bram = ids["advert"], ids["bram"]
    report = f"/moderation/reports/{ids['advert_report']}"
    return [
        ("anna", f"/posts/{advert}", "post-with-report-link", None),
        ("anna", f"/report/{bram}?post={advert}", "report-form", None),
        ("anna", f"/report/{bram}", "report-form-without-choice", report_without_choice),
        ("anna", f"/report/{bram}?sent=1", "report-thanks", None),
        ("mila", "/moderation", "moderation-queue", None),
        ("mila", report, "moderation-report", None),
        ("mila", report, "moderation-report-forms-open", open_all_details),
        ("mila", "/moderation/held", "moderation-held", None),
        ("mila", "/moderation/held", "moderation-held-remove-open", open_all_details),
        ("bram", "/", "held-post-author", None),
        ("mila", "/moderation/filters", "moderation-filters", None),
        ("beheerder", "/admin", "admin", None),
        ("beheerder", "/admin/roles", "admin-roles", None),
        ("beheerder", "/admin/domains", "admin-domains", None),
        ("beheerder", "/admin/domains/spam.example/remove", "admin-domains-lift", None),
        ("beheerder", "/admin/care-retention", "admin-care-retention", None),
        ("anna", "/care/new", "care-new", None),
        ("anna", "/care/new?sent=1", "care-new-sent", None),
        ("dirk", "/care", "care-list", None),
        ("dirk", f"/care/{ids['signal']}", "care-signal", None),
    ]


def removed_shots(ids: dict[str, int]) -> list[Shot]:
    return [
        ("mila", f"/moderation/reports/{ids['advert_report']}", "moderation-report-closed", None),
        ("mila", "/moderation?status=resolved", "moderation-queue-handled", None),
        ("bram", "/notifications", "notifications-moderated", None),
        ("fatima", "/notifications", "notifications-report-closed", None),
        ("bram", f"/appeals/{ids['removal']}", "appeal-form", None),
    ]


def appealed_shots(ids: dict[str, int]) -> list[Shot]:
    return [
        ("kees", "/moderation/appeals", "moderation-appeals", None),
        ("mila", "/moderation/appeals", "moderation-appeals-own-measure", None),
        ("bram", f"/appeals/{ids['removal']}", "appeal-made", None),
    ]


def suspended_shots(ids: dict[str, int]) -> list[Shot]:
    return [
        (None, "/login", "suspended-login", suspended_login),
        ("anna", "/n/vogelwijk/moderation", "public-moderation-log", None),
        ("beheerder", "/admin/audit", "admin-audit", None),
    ]


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    output.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_demo(Path(data_dir), port)
        demo = Demo(base, Path(data_dir))
        try:
            ids = prepare(demo)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                for step, shots in (
                    (None, first_shots),
                    (remove_advert, removed_shots),
                    (appeal, appealed_shots),
                    (suspend, suspended_shots),
                ):
                    if step:
                        step(demo, ids)
                    for width_name in WIDTHS:
                        shoot(browser, base, shots(ids), width_name, output)
                browser.close()
        finally:
            demo.close()
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
