// An independent ActivityPub peer for buurtnet's federation tests, built on Fedify.
//
//   <node 22> peer.mjs --port PORT [--first-knock rfc9421|draft-cavage-http-signatures-12]
//
// It listens on 127.0.0.1 only, prints "ready" once listening, and serves one actor, alice.
// Everything it fetches or delivers is at a test's request (a control call, or a Follow it
// accepts); it talks only to the URLs it is given. The tests steer it with plain JSON under
// /control/; tests/federation/fedify.py is the client.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { createFederation, generateCryptoKeyPair, MemoryKvStore, signRequest } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import {
  Accept,
  Activity,
  Announce,
  Collection,
  Create,
  Delete,
  Endpoints,
  Flag,
  Follow,
  isActor,
  Join,
  Leave,
  Like,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Question,
  Reject,
  Undo,
  Update,
} from "@fedify/vocab";

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    "first-knock": { type: "string", default: "rfc9421" },
  },
});
const port = Number(args.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: peer.mjs --port PORT [--first-knock rfc9421|draft-cavage-http-signatures-12]");
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;
const ALICE = "alice";

// What the peer knows, all in memory: the tests read it through /control/.
const received = []; // verified activities, in the order the inbox listeners saw them
const inboxLog = []; // every POST to an inbox: path, signature header kind, status answered
const sent = []; // every activity alice sent: type, id, recipients, ok or error
const followers = new Map(); // actor id -> { id, inboxId, endpoints }
const followsSent = new Map(); // actor id -> the Follow alice sent it
const notes = new Map(); // note number -> Note
const questions = new Map(); // question number -> { question, counts: Map(name -> votes), voters: Set }
const inboxRequestByActivityId = new Map(); // activity id -> its signature and body as sent
let counter = 0;

const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), // draft-cavage and RFC 9421 (Mastodon-compatible)
  await generateCryptoKeyPair("Ed25519"), // Object Integrity Proofs (FEP-8b32)
];

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  // Loopback is a private address; without this Fedify refuses to fetch or deliver to it.
  allowPrivateAddress: true,
  firstKnock: args["first-knock"],
  userAgent: { software: "buurtnet-fedify-peer/0.0.0" },
});

function nextId(kind) {
  counter += 1;
  return new URL(`/users/${ALICE}/${kind}/${counter}`, origin);
}

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ALICE) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Alice (Fedify peer)",
      summary: "An independent ActivityPub peer in buurtnet's tests.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((pair) => pair.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ALICE ? keyPairs : []));

federation.setOutboxDispatcher("/users/{identifier}/outbox", (_ctx, identifier) =>
  identifier === ALICE ? { items: [] } : null,
);

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) =>
    identifier === ALICE ? { items: [...followers.values()] } : null,
  )
  .setCounter((_ctx, identifier) => (identifier === ALICE ? followers.size : null));

federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", (_ctx, values) =>
  values.identifier === ALICE ? (notes.get(values.id) ?? null) : null,
);

federation.setObjectDispatcher(Question, "/users/{identifier}/questions/{id}", (_ctx, values) =>
  values.identifier === ALICE ? (questions.get(values.id)?.question ?? null) : null,
);

// --- alice's polls ---------------------------------------------------------------------------
// A poll of alice's, as Mastodon makes one: its answers are Notes with a name and a count; a vote
// (a Note with a name that answers it) is counted, and the voter's server gets the new counts at
// once in an Update of the Question (Mastodon waits a few minutes; a test need not).

function questionOf(ctx, number, entry) {
  const answers = entry.names.map(
    (name) => new Note({ name, replies: new Collection({ totalItems: entry.counts.get(name) }) }),
  );
  return new Question({
    id: ctx.getObjectUri(Question, { identifier: ALICE, id: number }),
    attribution: ctx.getActorUri(ALICE),
    content: entry.content,
    published: entry.published,
    endTime: entry.endTime,
    voters: entry.others + entry.voters.size,
    tos: entry.tos,
    ccs: entry.ccs,
    tags: entry.tags,
    ...(entry.multiple ? { inclusiveOptions: answers } : { exclusiveOptions: answers }),
  });
}

async function countVote(ctx, create, entry) {
  const note = await create.getObject();
  if (!(note instanceof Note) || note.replyTargetId == null || create.actorId == null) return;
  const number = /\/questions\/([^/]+)$/.exec(note.replyTargetId.pathname)?.[1];
  const poll = number == null ? undefined : questions.get(number);
  const name = note.name?.toString();
  if (poll == null || name == null || !poll.counts.has(name)) return;
  poll.counts.set(name, poll.counts.get(name) + 1);
  poll.voters.add(create.actorId.href);
  entry.vote = { question: note.replyTargetId.href, name };
  poll.question = questionOf(ctx, number, poll);
  const voter = await create.getActor();
  if (voter == null) return;
  const update = new Update({
    id: nextId("updates"),
    actor: ctx.getActorUri(ALICE),
    object: poll.question,
    tos: poll.tos,
    ccs: poll.ccs,
  });
  setImmediate(() => send(ctx, voter, update));
}

// Recorded first, whatever it creates (a Note, a Question, an Event), so that nothing in
// counting a vote can keep it from the received list.
async function onCreate(ctx, create) {
  const entry = await record(ctx, create);
  await countVote(ctx, create, entry);
}

// --- the inbox -------------------------------------------------------------------------------

async function record(ctx, activity) {
  const json = await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
  const object = json.object;
  const embedded = object !== null && typeof object === "object" && !Array.isArray(object);
  const entry = {
    type: json.type,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: activity.objectId?.href ?? null,
    objectType: embedded ? (object.type ?? null) : null,
    objectJson: embedded ? object : null,
    recipient: ctx.recipient, // "alice", or null on the shared inbox
    signature: inboxRequestByActivityId.get(activity.id?.href)?.signature ?? null,
    json,
    raw: inboxRequestByActivityId.get(activity.id?.href)?.raw ?? null, // the body on the wire
  };
  received.push(entry);
  return entry;
}

async function onFollow(ctx, follow) {
  await record(ctx, follow);
  if (follow.id == null || follow.objectId?.href !== ctx.getActorUri(ALICE).href) return;
  const follower = await follow.getActor(); // the follower's actor document, for its inbox
  if (follower == null || follower.id == null || follower.inboxId == null) return;
  followers.set(follower.id.href, {
    id: follower.id,
    inboxId: follower.inboxId,
    endpoints: follower.endpoints,
  });
  // The Follow as it came, by reference to its actor (as Mastodon embeds it), not with the
  // actor document that getActor() has just cached in it.
  const accepted = new Follow({ id: follow.id, actor: follower.id, object: follow.objectId });
  const accept = new Accept({
    id: nextId("accepts"),
    actor: ctx.getActorUri(ALICE),
    object: accepted,
    to: follower.id,
  });
  // Sent after the inbox has answered, as real servers do from their queues: the follower's
  // server may well be waiting on this very delivery and must be free to take the Accept.
  setImmediate(() => send(ctx, follower, accept));
}

async function onUndo(ctx, undo) {
  const entry = await record(ctx, undo);
  if (entry.objectType === "Follow" && entry.actor != null) followers.delete(entry.actor);
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, onFollow)
  .on(Undo, onUndo)
  .on(Accept, record)
  .on(Reject, record)
  .on(Create, onCreate)
  .on(Update, record)
  .on(Delete, record)
  .on(Like, record)
  .on(Announce, record)
  .on(Join, record)
  .on(Leave, record)
  .on(Flag, record)
  .on(Activity, record)
  .onError((_ctx, error) => console.error("inbox listener failed:", error));

// --- sending ---------------------------------------------------------------------------------

async function send(ctx, recipients, activity, options = {}) {
  const list = Array.isArray(recipients) ? recipients : [recipients];
  const entry = {
    type: activity.constructor.name,
    id: activity.id.href,
    to: list.map((recipient) => recipient.id.href),
    ok: false,
    error: null,
  };
  sent.push(entry);
  try {
    await ctx.sendActivity({ identifier: ALICE }, list, activity, { immediate: true, ...options });
    entry.ok = true;
  } catch (error) {
    entry.error = String(error?.message ?? error);
    console.error(`sending ${entry.type} ${entry.id} failed:`, error);
  }
  return entry;
}

// An activity that Fedify's vocabulary cannot hold (a Join with Mobilizon's
// participationMessage), sent as JSON the way Mobilizon sends it: signed with alice's RSA key by
// Fedify's own signRequest (draft-cavage, as Mobilizon signs), straight to the actor's inbox.
async function sendJson(ctx, recipient, json) {
  const entry = { type: json.type, id: json.id, to: [recipient.id.href], ok: false, error: null };
  sent.push(entry);
  const [rsa] = await ctx.getActorKeyPairs(ALICE);
  const body = new TextEncoder().encode(JSON.stringify(json));
  const request = new Request(recipient.inboxId, {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
    body,
  });
  const signed = await signRequest(request, rsa.privateKey, rsa.keyId, { body: body.buffer });
  try {
    const response = await fetch(signed);
    entry.ok = response.ok;
    if (!response.ok) entry.error = `${response.status} ${await response.text()}`;
  } catch (error) {
    entry.error = String(error?.message ?? error);
  }
  return entry;
}

async function lookupActor(ctx, url) {
  const actor = await ctx.lookupObject(url);
  if (actor == null || !isActor(actor)) throw new ControlError(404, `no actor at ${url}`);
  return actor;
}

// --- the control API -------------------------------------------------------------------------

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function required(body, field) {
  if (typeof body[field] !== "string" || body[field] === "") {
    throw new ControlError(400, `"${field}" (a URL) is required`);
  }
  return body[field];
}

const control = {
  "POST /control/lookup": async (ctx, body) => {
    const url = required(body, "url");
    // signed: fetch as alice (for servers that want signed GETs, "authorized fetch").
    const documentLoader = body.signed
      ? await ctx.getDocumentLoader({ identifier: ALICE })
      : ctx.documentLoader;
    const object = await ctx.lookupObject(url, { documentLoader });
    if (object == null) return { found: false, type: null, id: null, json: null };
    const json = await object.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
    return { found: true, type: json.type ?? null, id: object.id?.href ?? null, json };
  },

  "POST /control/follow": async (ctx, body) => {
    const actor = await lookupActor(ctx, required(body, "actor"));
    const follow = new Follow({
      id: nextId("follows"),
      actor: ctx.getActorUri(ALICE),
      object: actor.id,
      to: actor.id,
    });
    followsSent.set(actor.id.href, follow);
    return delivered(await send(ctx, actor, follow));
  },

  "POST /control/unfollow": async (ctx, body) => {
    const actor = await lookupActor(ctx, required(body, "actor"));
    const follow = followsSent.get(actor.id.href);
    if (follow == null) throw new ControlError(409, `alice has not followed ${actor.id.href}`);
    const undo = new Undo({
      id: nextId("undos"),
      actor: ctx.getActorUri(ALICE),
      object: follow,
      to: actor.id,
    });
    followsSent.delete(actor.id.href);
    return delivered(await send(ctx, actor, undo));
  },

  "POST /control/create": async (ctx, body) => {
    if (!Array.isArray(body.to)) throw new ControlError(400, '"to" (a list of actor URLs) is required');
    const actors = [];
    for (const url of body.to) actors.push(await lookupActor(ctx, url));
    const isPublic = Boolean(body.public);
    const to = [...(isPublic ? [PUBLIC_COLLECTION] : []), ...actors.map((actor) => actor.id)];
    const cc = isPublic ? [ctx.getFollowersUri(ALICE)] : [];
    counter += 1;
    const number = String(counter);
    const note = new Note({
      id: ctx.getObjectUri(Note, { identifier: ALICE, id: number }),
      attribution: ctx.getActorUri(ALICE),
      content: String(body.content ?? ""),
      published: Temporal.Now.instant(),
      tos: to,
      ccs: cc,
      replyTarget: typeof body.inReplyTo === "string" ? new URL(body.inReplyTo) : null,
    });
    notes.set(number, note);
    const create = new Create({
      id: new URL(`${note.id.href}/activity`),
      actor: ctx.getActorUri(ALICE),
      object: note,
      tos: to,
      ccs: cc,
      published: note.published,
    });
    // A public note also goes to alice's followers, as any server would deliver it.
    const recipients = new Map(actors.map((actor) => [actor.id.href, actor]));
    if (isPublic) for (const [id, follower] of followers) if (!recipients.has(id)) recipients.set(id, follower);
    const options = { preferSharedInbox: Boolean(body.sharedInbox) };
    const result = await send(ctx, [...recipients.values()], create, options);
    return { ...delivered(result), note: note.id.href };
  },

  // alice asks a question of the given actors (named, and public): a poll of one choice, or
  // several when "multiple", open for "minutes".
  "POST /control/question": async (ctx, body) => {
    if (!Array.isArray(body.to) || !Array.isArray(body.choices)) {
      throw new ControlError(400, '"to" (actor URLs) and "choices" (names) are required');
    }
    const actors = [];
    for (const url of body.to) actors.push(await lookupActor(ctx, url));
    counter += 1;
    const number = String(counter);
    const published = Temporal.Now.instant();
    const entry = {
      names: body.choices.map(String),
      counts: new Map(body.choices.map((name) => [String(name), 0])),
      voters: new Set(),
      others: 0, // voters at alice's own server, who need no delivery
      multiple: Boolean(body.multiple),
      content: String(body.content ?? ""),
      published,
      endTime: published.add({ minutes: Number(body.minutes ?? 60) }),
      tos: [PUBLIC_COLLECTION, ...actors.map((actor) => actor.id)],
      ccs: [ctx.getFollowersUri(ALICE)],
      tags: actors.map((actor) => new Mention({ href: actor.id, name: `@${actor.preferredUsername}` })),
    };
    entry.question = questionOf(ctx, number, entry);
    questions.set(number, entry);
    const create = new Create({
      id: new URL(`${entry.question.id.href}/activity`),
      actor: ctx.getActorUri(ALICE),
      object: entry.question,
      tos: entry.tos,
      ccs: entry.ccs,
      published,
    });
    const result = await send(ctx, actors, create);
    return { ...delivered(result), question: entry.question.id.href };
  },

  // The counts of one of alice's questions, as she has them.
  "POST /control/counts": (_ctx, body) => {
    const entry = questionEntry(required(body, "question"));
    return { counts: Object.fromEntries(entry.counts), voters: entry.others + entry.voters.size };
  },

  // People at alice's own server vote in her question: counted there, sent nowhere (yet).
  "POST /control/tally": (ctx, body) => {
    const url = required(body, "question");
    const entry = questionEntry(url);
    const name = String(body.choice);
    if (!entry.counts.has(name)) throw new ControlError(400, `no answer ${name}`);
    const votes = Number(body.votes ?? 1);
    entry.counts.set(name, entry.counts.get(name) + votes);
    entry.others += votes;
    entry.question = questionOf(ctx, /\/questions\/([^/]+)$/.exec(new URL(url).pathname)[1], entry);
    return { counts: Object.fromEntries(entry.counts) };
  },

  // alice votes in a poll elsewhere: a Create of a Note with the answer's name, answering the
  // Question, to its author only (one per answer), as Mastodon votes.
  "POST /control/vote": async (ctx, body) => {
    const question = await ctx.lookupObject(required(body, "question"));
    if (!(question instanceof Question) || question.id == null || question.attributionId == null) {
      throw new ControlError(404, "no question there");
    }
    if (!Array.isArray(body.choices)) throw new ControlError(400, '"choices" (names) are required');
    const author = await lookupActor(ctx, question.attributionId.href);
    const results = [];
    for (const name of body.choices) {
      const note = new Note({
        id: nextId("votes"),
        attribution: ctx.getActorUri(ALICE),
        name: String(name),
        replyTarget: question.id,
        to: author.id,
      });
      const create = new Create({
        id: new URL(`${note.id.href}/activity`),
        actor: ctx.getActorUri(ALICE),
        object: note,
        to: author.id,
      });
      results.push(delivered(await send(ctx, author, create)));
    }
    return results;
  },

  "POST /control/like": async (ctx, body) => {
    const object = required(body, "object");
    const actor = await lookupActor(ctx, required(body, "to"));
    const like = new Like({
      id: nextId("likes"),
      actor: ctx.getActorUri(ALICE),
      object: new URL(object),
      to: actor.id,
    });
    return delivered(await send(ctx, actor, like));
  },

  // alice signs up for an activity (an Event) elsewhere: a Join to its organiser, as Mobilizon
  // sends it, with the "message" as its participationMessage when there is one.
  "POST /control/join": async (ctx, body) => {
    const event = new URL(required(body, "object"));
    const organiser = await lookupActor(ctx, required(body, "to"));
    const id = nextId("joins");
    if (typeof body.message !== "string" || body.message === "") {
      const join = new Join({ id, actor: ctx.getActorUri(ALICE), object: event, to: organiser.id });
      return delivered(await send(ctx, organiser, join));
    }
    const join = {
      "@context": [
        "https://www.w3.org/ns/activitystreams",
        {
          mz: "https://joinmobilizon.org/ns#",
          sc: "http://schema.org#",
          participationMessage: { "@id": "mz:participationMessage", "@type": "sc:Text" },
        },
      ],
      id: id.href,
      type: "Join",
      actor: ctx.getActorUri(ALICE).href,
      object: event.href,
      to: [organiser.id.href],
      participationMessage: body.message,
    };
    return delivered(await sendJson(ctx, organiser, join));
  },

  // alice's server reports people and posts elsewhere: a Flag naming "objects" (URLs), with the
  // "content" as its comment, to the inbox of "to", as Mastodon sends one (but from alice: the
  // peer has no instance actor).
  "POST /control/flag": async (ctx, body) => {
    if (!Array.isArray(body.objects)) throw new ControlError(400, '"objects" (URLs) are required');
    const actor = await lookupActor(ctx, required(body, "to"));
    const flag = new Flag({
      id: nextId("flags"),
      actor: ctx.getActorUri(ALICE),
      objects: body.objects.map((url) => new URL(url)),
      content: String(body.content ?? ""),
      to: actor.id,
    });
    return delivered(await send(ctx, actor, flag));
  },

  // alice steps back from an activity elsewhere: a Leave of the Event, to its organiser.
  "POST /control/leave": async (ctx, body) => {
    const event = new URL(required(body, "object"));
    const organiser = await lookupActor(ctx, required(body, "to"));
    const leave = new Leave({
      id: nextId("leaves"),
      actor: ctx.getActorUri(ALICE),
      object: event,
      to: organiser.id,
    });
    return delivered(await send(ctx, organiser, leave));
  },

  "GET /control/received": () => received,
  "DELETE /control/received": () => {
    received.length = 0;
    inboxLog.length = 0;
    sent.length = 0;
    return { cleared: true };
  },
  "GET /control/inbox-log": () => inboxLog,
  "GET /control/sent": () => sent,
  "GET /control/followers": () => [...followers.keys()],
};

function questionEntry(url) {
  const number = /\/questions\/([^/]+)$/.exec(new URL(url).pathname)?.[1];
  const entry = number == null ? undefined : questions.get(number);
  if (entry == null) throw new ControlError(404, "no such question of alice's");
  return entry;
}

function delivered(entry) {
  return { id: entry.id, delivered: entry.ok, error: entry.error };
}

async function handleControl(request, method, path) {
  const handler = control[`${method} ${path}`];
  if (handler == null) return json(404, { error: `no control endpoint ${method} ${path}` });
  let body = {};
  if (method === "POST") {
    try {
      body = JSON.parse(await request.text());
    } catch {
      return json(400, { error: "the body must be a JSON object" });
    }
    if (body === null || typeof body !== "object") return json(400, { error: "the body must be a JSON object" });
  }
  try {
    const ctx = federation.createContext(new URL(origin), undefined);
    return json(200, await handler(ctx, body));
  } catch (error) {
    const status = error instanceof ControlError ? error.status : 500;
    if (status === 500) console.error(`${method} ${path} failed:`, error);
    return json(status, { error: String(error?.message ?? error) });
  }
}

function json(status, value) {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

// --- serving through node:http ---------------------------------------------------------------

function signatureKind(headers) {
  if (headers.has("signature-input")) return "rfc9421";
  if (headers.has("signature")) return "draft-cavage";
  return null;
}

function keyIdOf(headers) {
  const input = headers.get("signature-input") ?? headers.get("signature") ?? "";
  return /keyid="([^"]*)"/i.exec(input)?.[1] ?? null;
}

async function toRequest(message) {
  const headers = new Headers();
  for (let i = 0; i < message.rawHeaders.length; i += 2) {
    headers.append(message.rawHeaders[i], message.rawHeaders[i + 1]);
  }
  const chunks = [];
  for await (const chunk of message) chunks.push(chunk);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : null;
  // The URL keeps the Host the client sent; Fedify checks signatures against it.
  const url = new URL(message.url, `http://${message.headers.host ?? `127.0.0.1:${port}`}`);
  const hasBody = message.method !== "GET" && message.method !== "HEAD";
  return { request: new Request(url, { method: message.method, headers, body: hasBody ? body : null }), body };
}

async function handle(message) {
  const { request, body } = await toRequest(message);
  const path = new URL(request.url).pathname;
  if (path.startsWith("/control/")) return handleControl(request, request.method, path);
  const isInbox = request.method === "POST" && (path === "/inbox" || path.endsWith("/inbox"));
  let raw = null;
  let activityId = null;
  const signature = { spec: signatureKind(request.headers), keyId: keyIdOf(request.headers) };
  if (isInbox) {
    try {
      raw = JSON.parse(body?.toString("utf8") ?? "null");
    } catch {
      raw = body?.toString("utf8") ?? null;
    }
    activityId = typeof raw?.id === "string" ? raw.id : null;
    if (activityId != null) inboxRequestByActivityId.set(activityId, { signature, raw });
  }
  const response = await federation.fetch(request, { contextData: undefined });
  if (isInbox) {
    inboxLog.push({
      path,
      activityId,
      status: response.status,
      signature,
      headers: Object.fromEntries(request.headers),
      body: raw,
    });
  }
  return response;
}

const server = createServer(async (message, reply) => {
  let response;
  try {
    response = await handle(message);
  } catch (error) {
    console.error(`${message.method} ${message.url} failed:`, error);
    response = new Response("peer error", { status: 500 });
  }
  const headers = {};
  for (const [name, value] of response.headers) headers[name] = value;
  reply.writeHead(response.status, headers);
  reply.end(Buffer.from(await response.arrayBuffer()));
});

server.listen(port, "127.0.0.1", () => console.log("ready"));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
