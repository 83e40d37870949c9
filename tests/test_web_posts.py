"""The neighbourhood through the browser's eyes: posting, replying, reacting and being notified."""

import re

import httpx
from starlette.applications import Starlette

from buurtnet.models import Account
from tests.conftest import browser_for, csrf_token, log_in, post_form

POST_LINK = re.compile(r'href="/posts/(\d+)"')


async def post(client: httpx.AsyncClient, text: str, **fields: str) -> httpx.Response:
    return await post_form(client, "/", "/posts", {"source": text, **fields})


async def newest_post_id(client: httpx.AsyncClient) -> int:
    found = POST_LINK.search((await client.get("/")).text)
    assert found, "no post on the home page"
    return int(found.group(1))


async def test_two_neighbours_post_reply_react_and_are_notified(
    app: Starlette, resident: Account, neighbour: Account
) -> None:
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        sent = await post(anna, "Wie helpt zaterdag met #opruimen? @bram", kind="help_request")
        assert sent.status_code == 303
        home = (await bram.get("/")).text
        assert "Wie helpt zaterdag met" in home and 'href="/tags/opruimen"' in home
        assert "Vraagt om hulp" in home
        post_id = await newest_post_id(bram)

        reply = await post_form(
            bram,
            f"/posts/{post_id}",
            "/posts",
            {"source": "Ik kom! @anna", "in_reply_to": str(post_id)},
        )
        assert reply.status_code == 303
        assert re.fullmatch(rf"/posts/{post_id}\?posted=(\d+)#post-\1", reply.headers["location"])
        thread = (await anna.get(f"/posts/{post_id}")).text
        assert "Ik kom!" in thread

        token = await csrf_token(bram, "/")
        for action in ("like", "share"):
            response = await bram.post(
                f"/posts/{post_id}/{action}", data={"csrf_token": token, "next": "/"}
            )
            assert response.status_code == 303
            assert response.headers["location"] == f"/#post-{post_id}"

        menu = (await anna.get("/")).text
        assert re.search(r'class="badge">3<', menu), "three notifications: reply, like, share"
        notes = (await anna.get("/notifications")).text
        assert "heeft gereageerd op uw bericht" in notes
        assert "vindt uw bericht leuk" in notes
        assert "heeft uw bericht gedeeld" in notes
        bram_notes = (await bram.get("/notifications")).text
        assert "heeft u genoemd in een bericht" in bram_notes
        assert 'class="badge">' not in (await anna.get("/")).text.split("<main")[0]

        tag_page = await anna.get("/tags/opruimen")
        assert tag_page.status_code == 200 and "Wie helpt zaterdag" in tag_page.text


async def test_a_script_in_a_post_is_shown_as_text(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    await post(client, '<script>alert("hoi")</script><img src=x onerror=alert(1)>')
    page = (await client.get("/")).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page


async def test_a_too_long_post_keeps_the_text_and_says_why(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    text = "Lang verhaal " * 400
    response = await post(client, text)
    assert response.status_code == 400
    assert "Uw bericht is te lang" in response.text
    assert text.strip()[:200] in response.text
    empty = await post(client, "  ")
    assert empty.status_code == 400 and "Schrijf eerst een bericht" in empty.text


async def test_editing_shows_the_history_and_deleting_asks_first(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    await post(client, "Eerst zo")
    post_id = await newest_post_id(client)
    edited = await post_form(
        client, f"/posts/{post_id}/edit", f"/posts/{post_id}/edit", {"source": "Nu anders"}
    )
    assert edited.status_code == 303
    page = (await client.get(f"/posts/{post_id}")).text
    assert "Nu anders" in page and "Eerst zo" in page and "bewerkt" in page
    confirm = await client.get(f"/posts/{post_id}/delete")
    assert "Dit bericht verwijderen?" in confirm.text
    deleted = await post_form(client, f"/posts/{post_id}/delete", f"/posts/{post_id}/delete", {})
    assert deleted.status_code == 303
    assert (await client.get(f"/posts/{post_id}")).status_code == 404


async def test_others_cannot_edit_or_delete(
    app: Starlette, resident: Account, neighbour: Account
) -> None:
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        await post(anna, "Van Anna")
        post_id = await newest_post_id(bram)
        assert (await bram.get(f"/posts/{post_id}/edit")).status_code == 403
        token = await csrf_token(bram, "/")
        response = await bram.post(f"/posts/{post_id}/delete", data={"csrf_token": token})
        assert response.status_code == 403
        assert (await bram.get(f"/posts/{post_id}")).status_code == 200


async def test_visitors_see_public_posts_only_and_cannot_react(
    app: Starlette, resident: Account
) -> None:
    async with browser_for(app) as anna, browser_for(app) as visitor:
        await log_in(anna, "anna")
        await post(anna, "Binnen de buurt")
        await post(anna, "Voor de hele wereld", visibility="public")
        page = (await visitor.get("/n/vogelwijk")).text
        assert "Voor de hele wereld" in page and "Binnen de buurt" not in page
        assert "/like" not in page
        post_id = int(POST_LINK.findall((await anna.get("/")).text)[-1])
        assert (await visitor.get(f"/posts/{post_id}")).status_code == 404


async def test_malformed_and_huge_ids_are_not_found(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    for path in ("/posts/²", "/posts/9223372036854775808", "/posts/99999999999/edit"):
        assert (await client.get(path)).status_code == 404, path
    for path in ("/?before=²", "/?before=999999999999999999", "/notifications?before=²"):
        assert (await client.get(path)).status_code == 200, path
    token = await csrf_token(client, "/")
    like = await client.post("/posts/99999999999999999999/like", data={"csrf_token": token})
    assert like.status_code == 404
    reply = await post(client, "Hallo", in_reply_to="²")
    assert reply.status_code == 303


async def test_hashtags_of_private_posts_are_not_found_by_others(
    app: Starlette, resident: Account, neighbour: Account
) -> None:
    async with browser_for(app) as anna, browser_for(app) as visitor:
        await log_in(anna, "anna")
        await post(anna, "@bram ik heb #schulden", visibility="direct")
        assert "schulden" in (await anna.get("/search?q=%23sch")).text
        assert "schulden" not in (await visitor.get("/search?q=%23sch")).text
        assert (await visitor.get("/tags/schulden")).status_code == 404
        assert (await anna.get("/tags/schulden")).status_code == 200
