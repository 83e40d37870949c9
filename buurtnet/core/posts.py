"""Writing, editing and deleting posts and replies.

The source a person typed is kept next to its rendering; mentions and hashtags are stored as rows,
so that direct posts reach the people they name and hashtag pages are an index look-up.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import paths, typed_text
from buurtnet.core import (
    hashtags,
    media,
    mentions,
    outbound,
    permissions,
    polls,
    post_removal,
    replies,
    visibility,
)
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.text import INVISIBLE_CHARACTERS, clean_line
from buurtnet.models import (
    Account,
    AccountStatus,
    Mention,
    Neighbourhood,
    Post,
    PostEdit,
    PostKind,
    Visibility,
    utcnow,
)
from buurtnet.moderation import word_filters

MAX_LENGTH = 5000
SUMMARY_LENGTH = 500
LANGUAGES = ("nl", "en", "ar", "de", "fr", "pl", "tr")
# Shares pass a post on to one's followers: a post meant for fewer people is not shareable.
SHAREABLE = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.NEIGHBOURHOOD)
# What the composer offers; unlisted posts come from elsewhere (and replies to them).
COMPOSABLE = (Visibility.NEIGHBOURHOOD, Visibility.PUBLIC, Visibility.FOLLOWERS, Visibility.DIRECT)


@dataclass(frozen=True)
class Draft:
    """What the composer sends: the text and the choices around it."""

    source: str
    kind: PostKind = PostKind.MESSAGE
    visibility: Visibility = Visibility.NEIGHBOURHOOD
    summary: str = ""
    language: str | None = None
    in_reply_to_id: int | None = None
    poll: polls.PollDraft | None = None
    # Whom it is for besides the people it names: an organiser's message to who takes part.
    addressed: frozenset[int] = frozenset()
    # Where it is posted: the author's own neighbourhood (None), or one they direct.
    neighbourhood_id: int | None = None


def clean_source(source: str) -> str:
    """The text as stored: normalised, without control characters, trimmed."""
    return typed_text.clean_source(source).strip()


def draft_problems(draft: Draft) -> dict[str, str]:
    """What keeps a draft from being posted, as form field -> message code."""
    errors: dict[str, str] = {}
    text = clean_source(draft.source)
    if not INVISIBLE_CHARACTERS.sub("", text).strip():
        errors["source"] = "post_empty"
    elif len(text) > MAX_LENGTH:
        errors["source"] = "post_too_long"
    if len(draft.summary) > SUMMARY_LENGTH:
        errors["summary"] = "summary_too_long"
    if draft.language is not None and draft.language not in LANGUAGES:
        errors["language"] = "language_invalid"
    if draft.poll is not None:
        errors |= polls.draft_problems(draft.poll)
    return errors


def is_shareable(post: Post) -> bool:
    return post.visibility in SHAREABLE


def may_delete(actor: Account, post: Post) -> bool:
    """Only its author deletes a post. A moderator removes it instead, with a reason that is
    logged and can be appealed (`moderation/actions`)."""
    return post.author_id == actor.id


def parse_kind(value: str) -> PostKind:
    """A kind the composer offers: an activity is made with its details (`events`)."""
    composable = value in PostKind.__members__.values() and value != PostKind.EVENT
    return PostKind(value) if composable else PostKind.MESSAGE


def parse_visibility(value: str) -> Visibility:
    return Visibility(value) if value in COMPOSABLE else Visibility.NEIGHBOURHOOD


async def create_post(
    session: AsyncSession,
    author: Account,
    draft: Draft,
    images: Sequence[media.StoredImage] = (),
    *,
    more_text: Sequence[str] = (),
) -> Post:
    """A new post or reply, with its mentions, hashtags and images, and the notifications it causes.

    A reply goes to the people who can see the post it answers: it takes that post's visibility
    and neighbourhood (unless it is made direct), and the author it answers is always addressed.

    A post that uses a word filter of its neighbourhood (in its text, warning, poll answers or
    `more_text`, such as an activity's title) is held for a moderator: stored with whom it
    addresses, but nobody is told, no reply is counted and nothing leaves the instance until
    `publish_held` does that.
    """
    assert author.id is not None
    if errors := draft_problems(draft):
        raise InvalidInput(errors)
    if len(images) > media.MAX_IMAGES_PER_POST:
        raise InvalidInput.single("images", "image_too_many")
    # Locked, as deleting an account locks it: a post cannot outlive its author's deletion.
    current = await session.get(Account, author.id, with_for_update=True)
    if current is None or current.status != AccountStatus.ACTIVE:
        raise NotAllowed
    parent = await _visible_parent(session, author, draft.in_reply_to_id)
    if parent is None:
        post_visibility = draft.visibility
        neighbourhood_id = await _posted_in(session, author, draft.neighbourhood_id)
    else:
        post_visibility = _reply_visibility(Visibility(parent.visibility), draft.visibility)
        neighbourhood_id = parent.neighbourhood_id
    mentioned = await _mentioned_accounts(session, author, draft.source)
    post = Post(
        author_id=author.id,
        neighbourhood_id=neighbourhood_id,
        kind=draft.kind,
        visibility=post_visibility,
        in_reply_to_id=parent.id if parent else None,
        thread_root_id=(parent.thread_root_id or parent.id) if parent else None,
        summary=clean_line(draft.summary, SUMMARY_LENGTH),
        language=draft.language,
        source=clean_source(draft.source),
        content_html=render(clean_source(draft.source), mentioned),
    )
    session.add(post)
    await session.flush()
    assert post.id is not None
    texts = [post.source, post.summary, *_poll_answers(draft), *more_text]
    held = await word_filters.hold_if_filtered(session, post, texts)
    await _address(session, post, mentioned, parent, draft.addressed, tell=not held)
    session.add_all(media.attachment_rows(images, author.id, post.id))
    if draft.poll is not None:
        polls.attach(session, post, draft.poll)
    await hashtags.tag_post(session, post.id, typed_text.find_hashtags(post.source))
    if not held:
        await _announce(session, post, parent)
    return post


async def places_to_post(session: AsyncSession, author: Account) -> list[Neighbourhood]:
    """Where the author may post: their own neighbourhood first, then those they direct (a
    housing corporation's director seldom lives in them). Empty when there is no choice."""
    roles = await permissions.roles_of(session, author)
    if not roles.directs - {author.neighbourhood_id}:
        return []
    found = await session.exec(
        select(Neighbourhood)
        .where(col(Neighbourhood.id).in_(roles.directs | {author.neighbourhood_id or 0}))
        .order_by(col(Neighbourhood.id) != author.neighbourhood_id, col(Neighbourhood.name))
    )
    return list(found.all())


async def _posted_in(session: AsyncSession, author: Account, wanted: int | None) -> int | None:
    """The neighbourhood a new post is for: the author's own, or one they direct."""
    if wanted is None or wanted == author.neighbourhood_id:
        return author.neighbourhood_id
    if not permissions.can_direct(await permissions.roles_of(session, author), wanted):
        raise InvalidInput.single("neighbourhood", "neighbourhood_not_directed")
    return wanted


async def publish_held(session: AsyncSession, post: Post) -> None:
    """What a held post waited for, once a moderator lets it through (after `post.moderation`
    is cleared): the people it addresses are told, the reply counted and its author told, and
    servers elsewhere get it."""
    assert post.id is not None
    parent = await session.get(Post, post.in_reply_to_id) if post.in_reply_to_id else None
    addressed = await session.exec(select(Mention.account_id).where(Mention.post_id == post.id))
    answered = parent.author_id if parent is not None else None
    await mentions.address(session, post.id, post.author_id, addressed.all(), answered=answered)
    await _announce(session, post, parent)


async def republish(session: AsyncSession, post: Post) -> None:
    """A post a moderator took out of view and put back (an appeal granted): counted as a reply
    again and sent out again; the people it names were told the first time."""
    parent = await session.get(Post, post.in_reply_to_id) if post.in_reply_to_id else None
    await _announce(session, post, parent)


async def _announce(session: AsyncSession, post: Post, parent: Post | None) -> None:
    """Publishing: a reply counted and its parent's author told; servers elsewhere told."""
    assert post.id is not None
    if parent is not None:
        await replies.count_reply(session, parent, post.id, post.author_id, post.visibility)
    await outbound.post_created(session, post)


def _poll_answers(draft: Draft) -> list[str]:
    return polls.option_names(draft.poll) if draft.poll is not None else []


async def edit_post(
    session: AsyncSession,
    editor: Account,
    post_id: int,
    draft: Draft,
    *,
    more_text: Sequence[str] = (),
) -> Post:
    """Change a post's text, warning and kind; the earlier version is kept for everyone to see.

    An edit that uses a word filter of the neighbourhood (in the text, the warning or
    `more_text`) is refused for a published post; a held post stays held, whatever it says.
    """
    if errors := draft_problems(draft):
        raise InvalidInput(errors)
    post = await own_post(session, editor, post_id)
    assert post.id is not None and editor.id is not None
    if post.moderation is None:
        texts = [clean_source(draft.source), draft.summary, *more_text]
        await word_filters.refuse_if_filtered(session, post, texts)
    keep_earlier_version(session, post)
    addressed_beyond_text = await _addressed_beyond_text(session, post)
    mentioned = await _mentioned_accounts(session, editor, draft.source)
    post.source = clean_source(draft.source)
    post.summary = clean_line(draft.summary, SUMMARY_LENGTH)
    if PostKind.EVENT not in (post.kind, draft.kind):  # an activity stays one, with its details
        post.kind = draft.kind
    post.language = draft.language
    post.content_html = render(post.source, mentioned)
    post.edited_at = utcnow()
    parent = await session.get(Post, post.in_reply_to_id) if post.in_reply_to_id else None
    published = post.moderation is None  # a held post stays held, and quiet, when edited
    await _address(session, post, mentioned, parent, addressed_beyond_text, tell=published)
    await hashtags.retag_post(session, post.id, typed_text.find_hashtags(post.source))
    await outbound.post_edited(session, post)
    return post


def keep_earlier_version(session: AsyncSession, post: Post) -> None:
    """The post as it is now, kept before an edit so that readers can see what changed."""
    assert post.id is not None
    session.add(
        PostEdit(
            post_id=post.id,
            summary=post.summary,
            source=post.source,
            content_html=post.content_html,
            written_at=post.edited_at or post.created_at,
        )
    )


async def delete_post(session: AsyncSession, actor: Account, post_id: int) -> Post:
    """Delete a post (by its author or a moderator); its images are removed by a job afterwards.

    Replies stay, shown as answers to a deleted message.
    """
    post = await get_visible(session, actor, post_id)
    if not may_delete(actor, post):
        raise NotAllowed
    await outbound.post_deleted(session, post)
    await post_removal.remove_posts(session, [post])
    return post


async def _address(
    session: AsyncSession,
    post: Post,
    mentioned: Sequence[Account],
    parent: Post | None,
    also: Iterable[int] = (),
    *,
    tell: bool = True,
) -> None:
    """A post written here addresses the people it names, the people it was written to (`also`)
    and, answering a post, the people of that conversation (`mentions.conversation_of`); they
    are told unless the post is held (`tell`)."""
    assert post.id is not None
    addressed = {account.id for account in mentioned if account.id is not None} | set(also)
    if parent is not None:
        addressed |= await mentions.conversation_of(session, parent)
    answered = parent.author_id if parent is not None else None
    await mentions.address(
        session, post.id, post.author_id, addressed, answered=answered, tell=tell
    )


async def _addressed_beyond_text(session: AsyncSession, post: Post) -> set[int]:
    """Whom the post addresses without naming them or being of its conversation (`Draft.
    addressed`): an edit keeps them, as it drops only the people no longer named."""
    parent = await session.get(Post, post.in_reply_to_id) if post.in_reply_to_id else None
    conversation = await mentions.conversation_of(session, parent) if parent else set()
    named_keys = [ref.key for ref in typed_text.find_mentions(post.source)]
    found = await session.exec(
        select(Mention.account_id)
        .join(Account, col(Account.id) == col(Mention.account_id))
        .where(col(Mention.post_id) == post.id, col(Account.username_key).not_in(named_keys))
    )
    return set(found.all()) - conversation


async def edit_history(session: AsyncSession, post_id: int) -> list[PostEdit]:
    query = select(PostEdit).where(PostEdit.post_id == post_id).order_by(col(PostEdit.id).desc())
    return list((await session.exec(query)).all())


async def get_visible(session: AsyncSession, viewer: Account | None, post_id: int) -> Post:
    query = select(Post).where(col(Post.id) == post_id, visibility.visible_to(viewer))
    post = (await session.exec(query)).first()
    if post is None:
        raise NotFound(post_id)
    return post


def render(source: str, mentioned: Sequence[Account]) -> str:
    """The post's HTML: known people (here, or elsewhere and met before) and hashtags become
    links to their pages here, the rest stays text."""
    by_key = {account.username_key: account for account in mentioned}

    def mention_href(ref: typed_text.MentionRef) -> str | None:
        account = by_key.get(ref.key)
        return paths.profile(account.handle) if account else None

    return typed_text.render_text(source, mention_href=mention_href, hashtag_href=paths.hashtag)


async def _visible_parent(
    session: AsyncSession, author: Account, parent_id: int | None
) -> Post | None:
    if parent_id is None:
        return None
    return await get_visible(session, author, parent_id)


async def own_post(session: AsyncSession, editor: Account, post_id: int) -> Post:
    """A post its author may change; others get `NotAllowed` (or `NotFound` if hidden)."""
    post = await get_visible(session, editor, post_id)
    if post.author_id != editor.id:
        raise NotAllowed
    return post


async def _mentioned_accounts(session: AsyncSession, author: Account, source: str) -> list[Account]:
    """The active people a text names, leaving out anyone blocked either way: people here by
    `@name`, and people elsewhere by `@name@host` once we know them (their server gets the post)."""
    keys = [ref.key for ref in typed_text.find_mentions(source)]
    if not keys:
        return []
    assert author.id is not None
    query = select(Account).where(
        col(Account.username_key).in_(keys),
        col(Account.status) == AccountStatus.ACTIVE,
        ~visibility.blocks_either_way(col(Account.id), author.id),
    )
    return list((await session.exec(query)).all())


def _reply_visibility(parent: Visibility, asked: Visibility) -> Visibility:
    """A reply reaches no one the post it answers did not reach.

    A reply to a followers-only post goes only to the people in the conversation: the replier's
    followers are not the author's, and the author's are not the replier's to address.
    """
    if asked == Visibility.DIRECT or parent in (Visibility.FOLLOWERS, Visibility.DIRECT):
        return Visibility.DIRECT
    return parent
