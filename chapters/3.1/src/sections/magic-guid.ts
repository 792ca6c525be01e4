/**
 * 3.1.3 Why the magic GUID exists — and what the accept check does not prove.
 * Shows:  Accept computed with and without the GUID, and a real client refusing servers
 *         that answer 101 with a wrong accept value, or answer plain HTTP.
 * Run:    npm run chapter:3.1 -- 3.1.3
 * Expect: "refused" for the impostors, "connected" for the real server.
 */
import { createHash } from 'node:crypto';
import type { Section, SectionContext } from '@course/course-kit';
import {
  computeAcceptKey,
  connect,
  createServer,
  formatSwitchingProtocols,
  MAGIC_GUID,
} from '@course/ws-core';
import { type Answer, startImpostor } from '../impostor.ts';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** What a server that skipped the GUID would send. */
export function acceptWithoutGuid(key: string): string {
  return createHash('sha1').update(key).digest('base64');
}

const IMPOSTORS: ReadonlyArray<{ label: string; answer: Answer }> = [
  {
    label: '101 with SHA-1 of the key alone (no GUID)',
    answer: (decision) =>
      formatSwitchingProtocols({ ...decision, accept: acceptWithoutGuid(decision.key) }),
  },
  {
    label: '101 that echoes the key back as the accept value',
    answer: (decision) => formatSwitchingProtocols({ ...decision, accept: decision.key }),
  },
  {
    label: 'a plain web server: 200 OK with a page',
    answer: () =>
      'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<p>hello</p>\n',
  },
];

async function tryConnect(ctx: SectionContext, label: string, port: number) {
  try {
    const conn = await connect(`ws://127.0.0.1:${port}/chat`, { handshakeTimeout: 3000 });
    ctx.say(`  ${label}\n      → connected (protocol ${conn.protocol ?? 'none'})`);
    const closed = new Promise((resolve) => conn.once('close', resolve));
    conn.close(1000);
    await closed;
  } catch (error) {
    ctx.say(`  ${label}\n      → refused: ${(error as Error).message}`);
  }
}

export const magicGuidSection: Section = {
  id: '3.1.3',
  title: 'Why the magic GUID exists',
  summary: 'Accept with and without the GUID; a real client refuses servers that get it wrong',
  async run(ctx) {
    ctx.step('step 1: the same key, three ways');
    ctx.say(`  key                          ${RFC_KEY}`);
    ctx.say(
      `  base64(SHA-1(key + GUID))    ${computeAcceptKey(RFC_KEY)}   ← the only right answer`,
    );
    ctx.say(`  base64(SHA-1(key))           ${acceptWithoutGuid(RFC_KEY)}`);
    ctx.say(`  GUID = ${MAGIC_GUID}: fixed by RFC 6455, never changed`);

    ctx.step('step 2: ws-core’s client against three impostors and one real server');
    for (const { label, answer } of IMPOSTORS) {
      const impostor = await startImpostor(answer);
      try {
        await tryConnect(ctx, label, impostor.port);
      } finally {
        await impostor.close();
      }
    }
    const real = createServer({ protocols: ['chat'] });
    const { port } = await real.listen();
    try {
      await tryConnect(ctx, 'ws-core’s server', port);
    } finally {
      await real.close();
    }

    ctx.step('what the check proves, and what it does not');
    ctx.say('  proves: the server read THIS request as WebSocket — a cache replaying an old');
    ctx.say('  answer, or an HTTP server that knows nothing of WebSocket, cannot produce it.');
    ctx.say('  A GUID no other protocol uses means no server computes it by accident.');
    ctx.say('  does not: anyone can compute it (SHA-1 and the GUID are public). It is not');
    ctx.say('  authentication (use cookies or tokens) and not encryption (use wss://, i.e. TLS).');
    return undefined;
  },
};
