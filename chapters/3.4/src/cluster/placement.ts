/**
 * Putting two members of one room on two different workers, and asking what each one saw.
 *
 * Round robin usually puts the second connection on the next worker, but other connections
 * (a browser fetching the page, another client) take turns too, so we never assume: each
 * welcome names the worker that sent it, and a second member that landed on the first one's
 * worker leaves and tries again.
 */
import { ChatClient } from '../chat/chat-client.ts';
import { ClusterError } from './errors.ts';

const ATTEMPTS = 8;

/** `first` joins `room`; then `second`, until it reaches another worker than `first`. */
export async function joinOnTwoWorkers(
  url: string,
  room: string,
  first: string,
  second: string,
  signal?: AbortSignal,
): Promise<[ChatClient, ChatClient]> {
  const a = await ChatClient.join(url, first, room, signal);
  try {
    return [a, await joinAwayFrom(url, room, second, a.server, signal)];
  } catch (error) {
    await a.close();
    throw error;
  }
}

/** `nick` joins `room`, leaving and trying again while it lands on `server`. */
export async function joinAwayFrom(
  url: string,
  room: string,
  nick: string,
  server: string,
  signal?: AbortSignal,
): Promise<ChatClient> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const client = await ChatClient.join(url, nick, room, signal);
    if (client.server !== server) return client;
    await client.close();
  }
  throw new ClusterError(
    `${nick} reached ${server || 'the same server'} ${ATTEMPTS} times: is only one worker serving?`,
  );
}

export interface CrossTalk {
  /** b saw a's line before its own came back. */
  bSawA: boolean;
  /** a saw b's line before its second one came back. */
  aSawB: boolean;
}

/**
 * a says a line and waits for it to come back, then b does, then a again. A member's own line
 * coming back is the fence: a shared bus (Redis pub/sub) delivers a room's lines to every
 * worker in the order it received them, so a line sent before b's — and a's was, since a had
 * it back before b sent — reaches b before b's own. If it has not, it never will.
 */
export async function crossTalk(a: ChatClient, b: ChatClient): Promise<CrossTalk> {
  const [fromA, fromB, againA] = [`hello from ${a.nick}`, `hi from ${b.nick}`, `${a.nick} again`];
  a.say(fromA);
  await a.waitForLine(a.nick, fromA);
  b.say(fromB);
  const bFence = await b.waitForLine(b.nick, fromB);
  a.say(againA);
  const aFence = await a.waitForLine(a.nick, againA);
  const saw = (client: ChatClient, before: number, nick: string, text: string) =>
    client.events
      .slice(0, before)
      .some((e) => e.type === 'message' && e.nick === nick && e.text === text);
  return { bSawA: saw(b, bFence, a.nick, fromA), aSawB: saw(a, aFence, b.nick, fromB) };
}
