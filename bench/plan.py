"""A seeded, made-up instance: who lives where, who follows whom, and a year of posts.

Everything is decided here, without a database, as rows (dicts keyed by column name, every column
but generated ids, so that PostgreSQL's COPY can take them as they are) that `bench.fill` writes
in batches. The structure of the posts (authors, replies, visibility, counts)
is planned up front in compact arrays, so that reply and like counts are right when a post is
written; the texts are made while writing.
"""

import random
from array import array
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from buurtnet.models import AccountStatus, NotificationKind, PostKind, Role, Visibility

Row = dict[str, Any]

YEAR = timedelta(days=365)
REPLY_SHARE = 0.2
RECENT_POSTS_KEPT = 400  # a reply answers one of the latest posts of its neighbourhood
LIKED_SHARE = 0.2
MAX_LIKES = 5
HASHTAG_SHARE = 0.08
FOLLOWS = (10, 30)  # each resident follows between these many others
FOLLOWS_OWN_NEIGHBOURHOOD = 0.85
BLOCKING_SHARE = 0.01
MUTING_SHARE = 0.02
LIKE_NOTIFIED_SHARE = 0.3
FOLLOW_NOTIFIED_SHARE = 0.2
UNREAD_FOR = timedelta(days=7)  # notifications of the last week are unread

VISIBILITY_WEIGHTS = {
    Visibility.NEIGHBOURHOOD: 55,
    Visibility.PUBLIC: 35,
    Visibility.FOLLOWERS: 7,
    Visibility.DIRECT: 3,
}
KIND_WEIGHTS = {PostKind.MESSAGE: 85, PostKind.HELP_REQUEST: 8, PostKind.OFFER: 7}
VISIBILITIES = list(VISIBILITY_WEIGHTS)
KINDS = list(KIND_WEIGHTS)
DIRECT = VISIBILITIES.index(Visibility.DIRECT)

HASHTAGS = [
    "opruimen",
    "buurtfeest",
    "gevonden",
    "verloren",
    "moestuin",
    "speeltuin",
    "afval",
    "koffie",
    "fietsen",
    "straatfeest",
]
FIRST_NAMES = (
    "Anna Bram Fatima Daan Sanne Mohamed Emma Lucas Noor Sem Julia Finn Sara Milan Yara Levi Lotte "
    "Ahmed Iris Jesse Fleur Thijs Amira Ruben Eva Bilal Lisa Stijn Zeynep Tim"
)
LAST_NAMES = (
    "de Vries,Jansen,Bakker,Visser,Smit,Meijer,de Boer,Mulder,de Groot,Bos,Vos,Peters,Hendriks,"
    "El Amrani,Yilmaz,Dekker,Brouwer,de Wit,Dijkstra,Kaya"
)
WORDS = (
    "de het een en van in op met voor bij naar straat buurt tuin fiets hond kat boom bank plein "
    "speeltuin school bakker markt morgen vanavond zaterdag zondag vandaag gisteren iemand buren "
    "hulp gezocht aangeboden gratis lenen ladder boor grasmaaier soep taart koffie buurthuis "
    "opruimactie vuilnis container lamp kapot mooi gezellig rustig druk regen zon wind koud warm "
    "graag samen even snel later misschien zeker wie wat waar wanneer heeft weet kan wil komt gaat "
    "kijk zoek vond verloor sleutels fietsbel handschoen knuffel pakketje brief"
)


@dataclass(frozen=True)
class Sizes:
    residents: int
    neighbourhoods: int
    posts: int


class Plan:
    def __init__(self, sizes: Sizes, *, now: datetime, seed: int = 1) -> None:
        self.sizes = sizes
        self.now = now
        self.start = now - YEAR
        self.step = YEAR / max(sizes.posts, 1)
        self.rng = random.Random(seed)
        self.text_rng = random.Random(seed + 1)
        self.words = WORDS.split()
        self.first_names = FIRST_NAMES.split()
        self.last_names = LAST_NAMES.split(",")
        count = sizes.residents + 1  # arrays are indexed by id; index 0 is unused
        self.home = array("i", [0]) + array("i", self._homes())
        self.members: list[list[int]] = [[] for _ in range(sizes.neighbourhoods + 1)]
        for account_id in range(1, count):
            self.members[self.home[account_id]].append(account_id)
        self.follows = [self._followed_by(account_id) for account_id in range(count)]
        self._plan_posts()
        self._plan_likes()

    def _homes(self) -> list[int]:
        """Each resident's neighbourhood, dealt round so that all have about as many residents."""
        return [1 + n % self.sizes.neighbourhoods for n in range(self.sizes.residents)]

    def _followed_by(self, account_id: int) -> list[int]:
        if account_id == 0:
            return []
        wanted = self.rng.randint(*FOLLOWS)
        neighbours = self.members[self.home[account_id]]
        local = min(round(wanted * FOLLOWS_OWN_NEIGHBOURHOOD), len(neighbours) - 1)
        chosen = set(self.rng.sample(neighbours, local + 1))
        chosen.update(self.rng.randint(1, self.sizes.residents) for _ in range(wanted - local))
        chosen.discard(account_id)
        return sorted(chosen)

    def _plan_posts(self) -> None:
        total = self.sizes.posts + 1
        weights = [self.rng.expovariate(1.0) for _ in range(self.sizes.residents)]
        self.author = array("i", [0]) + array(
            "i", self.rng.choices(range(1, self.sizes.residents + 1), weights, k=total - 1)
        )
        self.parent = array("i", [0]) * total
        self.root = array("i", [0]) * total
        self.visibility = array("b", [0]) * total
        self.kind = array("b", [0]) * total
        self.mention = array("i", [0]) * total
        self.hashtag = array("b", [-1]) * total
        self.reply_count = array("i", [0]) * total
        recent: list[list[int]] = [[] for _ in range(self.sizes.neighbourhoods + 1)]
        for post_id in range(1, total):
            author = self.author[post_id]
            candidates = recent[self.home[author]]
            if candidates and self.rng.random() < REPLY_SHARE:
                parent = self.rng.choice(candidates)
                self.parent[post_id] = parent
                self.root[post_id] = self.root[parent] or parent
                self.visibility[post_id] = self.visibility[parent]
                self.reply_count[parent] += 1
            else:
                self.visibility[post_id] = self._weighted(VISIBILITY_WEIGHTS.values())
                self.kind[post_id] = self._weighted(KIND_WEIGHTS.values())
                candidates.append(post_id)
                if len(candidates) > 2 * RECENT_POSTS_KEPT:
                    del candidates[:RECENT_POSTS_KEPT]
            if self.visibility[post_id] == DIRECT:
                self.mention[post_id] = self._addressee(post_id)
            if self.rng.random() < HASHTAG_SHARE:
                self.hashtag[post_id] = self.rng.randrange(len(HASHTAGS))

    def _weighted(self, weights: Collection[int]) -> int:
        """A position drawn by the weights."""
        return self.rng.choices(range(len(weights)), list(weights))[0]

    def _addressee(self, post_id: int) -> int:
        """Whom a direct post is for: the author replied to, else someone the author follows."""
        author = self.author[post_id]
        parent = self.parent[post_id]
        if parent and self.author[parent] != author:
            return self.author[parent]
        return self.rng.choice(self.follows[author] or [1 + author % self.sizes.residents])

    def _plan_likes(self) -> None:
        """Likes by neighbours on a sample of the posts that are not direct; kept in post order."""
        self.like_post = array("i")
        self.like_account = array("i")
        self.like_count = array("i", [0]) * (self.sizes.posts + 1)
        for post_id in range(1, self.sizes.posts + 1):
            if self.visibility[post_id] == DIRECT or self.rng.random() >= LIKED_SHARE:
                continue
            neighbours = self.members[self.home[self.author[post_id]]]
            likers = set(self.rng.sample(neighbours, min(MAX_LIKES, len(neighbours))))
            likers.discard(self.author[post_id])
            chosen = sorted(likers)[: self.rng.randint(1, MAX_LIKES)]
            self.like_post.extend([post_id] * len(chosen))
            self.like_account.extend(chosen)
            self.like_count[post_id] = len(chosen)

    def posted_at(self, post_id: int) -> datetime:
        return self.start + self.step * post_id

    def neighbourhood_rows(self) -> Iterator[Row]:
        for number in range(1, self.sizes.neighbourhoods + 1):
            yield {
                "id": number,
                "slug": f"wijk-{number:02d}",
                "name": f"Wijk {number}",
                "description": "Een wijk vol verzonnen bewoners, voor de benchmark.",
                "created_at": self.start - YEAR,
            }

    def account_rows(self, password_hash: str) -> Iterator[Row]:
        for account_id in range(1, self.sizes.residents + 1):
            name = f"bewoner{account_id:05d}"
            first = self.first_names[account_id % len(self.first_names)]
            last = self.last_names[account_id // len(self.first_names) % len(self.last_names)]
            yield {
                "id": account_id,
                "username": name,
                "username_key": name,
                "email": f"{name}@bench.example",
                "password_hash": password_hash,
                "role": Role.RESIDENT,
                "status": AccountStatus.ACTIVE,
                "display_name": f"{first} {last}",
                "bio": "",
                "avatar_key": None,
                "locale": None,
                "neighbourhood_id": self.home[account_id],
                "created_at": self.start - timedelta(days=30, minutes=-account_id),
            }

    def follow_rows(self) -> Iterator[Row]:
        for follower, followed in self._follow_pairs():
            yield {"follower_id": follower, "followed_id": followed, "created_at": self.start}

    def follow_count(self) -> int:
        return sum(len(followed) for followed in self.follows)

    def _follow_pairs(self) -> Iterator[tuple[int, int]]:
        for follower, followed in enumerate(self.follows):
            for account_id in followed:
                yield follower, account_id

    def block_rows(self) -> list[Row]:
        return [
            {"blocker_id": one, "blocked_id": other, "created_at": self.now - timedelta(days=10)}
            for one, other in self._pairs(BLOCKING_SHARE, "blocks")
        ]

    def mute_rows(self) -> list[Row]:
        return [
            {"muter_id": one, "muted_id": other, "created_at": self.now - timedelta(days=10)}
            for one, other in self._pairs(MUTING_SHARE, "mutes")
        ]

    def _pairs(self, share: float, salt: str) -> set[tuple[int, int]]:
        """A share of the residents, each with someone they follow (whom a feed must now skip)."""
        rng = random.Random(salt)
        wanted = max(1, round(self.sizes.residents * share))
        pairs = set()
        for account_id in rng.sample(range(1, self.sizes.residents + 1), wanted):
            other = rng.choice(self.follows[account_id] or self.members[self.home[account_id]])
            if other != account_id:
                pairs.add((account_id, other))
        return pairs

    def post_rows(self) -> Iterator[Row]:
        for post_id in range(1, self.sizes.posts + 1):
            source = self._text(post_id)
            parent = self.parent[post_id]
            yield {
                "id": post_id,
                "author_id": self.author[post_id],
                "neighbourhood_id": self.home[self.author[post_id]],
                "kind": KINDS[self.kind[post_id]],
                "visibility": VISIBILITIES[self.visibility[post_id]],
                "in_reply_to_id": parent or None,
                "thread_root_id": self.root[post_id] or None,
                "summary": "",
                "language": "nl",
                "source": source,
                "content_html": f"<p>{escape(source)}</p>",
                "reply_count": self.reply_count[post_id],
                "like_count": self.like_count[post_id],
                "share_count": 0,
                "created_at": self.posted_at(post_id),
                "edited_at": None,
            }

    def _text(self, post_id: int) -> str:
        rng = self.text_rng
        sentences = [
            " ".join(rng.choices(self.words, k=rng.randint(4, 14))).capitalize() + rng.choice(".!?")
            for _ in range(rng.randint(1, 3))
        ]
        if self.mention[post_id]:
            sentences.insert(0, f"@bewoner{self.mention[post_id]:05d}")
        if self.hashtag[post_id] >= 0:
            sentences.append("#" + HASHTAGS[self.hashtag[post_id]])
        return " ".join(sentences)

    def hashtag_rows(self) -> list[Row]:
        return [{"id": number, "name": name} for number, name in enumerate(HASHTAGS, start=1)]

    def post_hashtag_rows(self) -> Iterator[Row]:
        for post_id, tag in enumerate(self.hashtag):
            if tag >= 0 and post_id > 0:
                yield {"post_id": post_id, "hashtag_id": tag + 1}

    def mention_rows(self) -> Iterator[Row]:
        for post_id, account_id in enumerate(self.mention):
            if account_id:
                yield {"post_id": post_id, "account_id": account_id}

    def like_rows(self) -> Iterator[Row]:
        for post_id, account_id in zip(self.like_post, self.like_account, strict=True):
            liked_at = self.posted_at(post_id) + timedelta(minutes=account_id % 120)
            yield {"account_id": account_id, "post_id": post_id, "created_at": liked_at}

    def notification_rows(self) -> Iterator[Row]:
        """New followers first, then replies, mentions and some likes in the order they happened."""
        rng = random.Random("notifications")
        for follower, followed in self._follow_pairs():
            if rng.random() < FOLLOW_NOTIFIED_SHARE:
                yield self._notification(followed, follower, NotificationKind.FOLLOW, None, 0)
        likes = 0
        for post_id in range(1, self.sizes.posts + 1):
            author = self.author[post_id]
            parent = self.parent[post_id]
            if parent and self.author[parent] != author:
                yield self._notification(
                    self.author[parent], author, NotificationKind.REPLY, post_id, post_id
                )
            if self.mention[post_id] and self.mention[post_id] != self.author[parent]:
                yield self._notification(
                    self.mention[post_id], author, NotificationKind.MENTION, post_id, post_id
                )
            while likes < len(self.like_post) and self.like_post[likes] == post_id:
                if rng.random() < LIKE_NOTIFIED_SHARE:
                    yield self._notification(
                        author, self.like_account[likes], NotificationKind.LIKE, post_id, post_id
                    )
                likes += 1

    def _notification(
        self, recipient: int, actor: int, kind: str, post_id: int | None, at_post: int
    ) -> Row:
        created_at = self.posted_at(at_post)
        read = created_at < self.now - UNREAD_FOR
        return {
            "recipient_id": recipient,
            "actor_id": actor,
            "kind": kind,
            "post_id": post_id,
            "created_at": created_at,
            "read_at": created_at + timedelta(hours=2) if read else None,
        }
