/**
 * 3.1.2 The handshake step by step — parse, validate, compute Accept, answer; and refuse.
 * Shows:  a request head arriving in three reads, the checks a server makes, the RFC's
 *         accept value, and what a live server answers to bad requests (426, 400, 405, 404).
 * Run:    npm run chapter:3.1 -- 3.1.2
 * Expect: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 §1.3), then 101, 426, 400, 400, 405, 404.
 */
import { createHash } from 'node:crypto';
import type { Section, SectionContext } from '@course/course-kit';
import {
  computeAcceptKey,
  createServer,
  formatSwitchingProtocols,
  HttpRequestParser,
  MAGIC_GUID,
  validateUpgradeRequest,
} from '@course/ws-core';
import { exchangeRaw } from '../raw-http.ts';
import { REFUSAL_DEMOS, RFC_REQUEST } from '../sample-requests.ts';

function parseInReads(ctx: SectionContext) {
  const bytes = Buffer.from(RFC_REQUEST, 'latin1');
  const cuts = [0, 37, 120, bytes.length]; // any split must give the same head
  const parser = new HttpRequestParser();
  for (let i = 1; i < cuts.length; i++) {
    const parsed = parser.push(bytes.subarray(cuts[i - 1], cuts[i]));
    ctx.say(
      `  read ${i}: ${(cuts[i] ?? 0) - (cuts[i - 1] ?? 0)} bytes → ${parsed ? 'head complete' : 'need more'}`,
    );
    if (parsed) return parsed.head;
  }
  throw new Error('the parser never completed the RFC sample request');
}

async function showRefusals(ctx: SectionContext) {
  const server = createServer({ protocols: ['chat'], paths: ['/chat'] });
  const address = await server.listen();
  try {
    for (const { label, request } of REFUSAL_DEMOS) {
      const answer = await exchangeRaw(address, request);
      const [headText = '', body = ''] = answer.split('\r\n\r\n');
      const [statusLine = '', ...headers] = headText.split('\r\n');
      ctx.say(`  ${label}`);
      ctx.say(`      → ${statusLine}`);
      for (const header of headers.filter((h) => /^sec-websocket-(version|accept)/i.test(h)))
        ctx.say(`        ${header}`);
      if (body.trim() !== '') ctx.say(`        body: ${body.trim().split('\n')[0]}`);
    }
  } finally {
    await server.close();
  }
}

export const handshakeSection: Section = {
  id: '3.1.2',
  title: 'The handshake step by step',
  summary: 'parse a head split over reads, validate, compute Accept; see 426/400/405/404 refusals',
  async run(ctx) {
    ctx.step('step 1: parse — a head may arrive in several reads; stop only at the blank line');
    const head = parseInReads(ctx);
    ctx.say(`  ${head.method} ${head.target}, ${head.headers.size} headers (names lower-cased)`);

    ctx.step(
      'step 2: validate — GET, HTTP/1.1, Host, Upgrade, Connection, Version 13, a 16-byte key',
    );
    const decision = validateUpgradeRequest(head, { protocols: ['chat'] });
    ctx.say(`  accepted; subprotocol chosen from the client's list: ${decision.protocol}`);

    ctx.step('step 3: compute Sec-WebSocket-Accept = base64(SHA-1(key + GUID))');
    const digest = createHash('sha1')
      .update(decision.key + MAGIC_GUID)
      .digest();
    ctx.say(`  key        ${decision.key}`);
    ctx.say(`  + GUID     ${MAGIC_GUID}`);
    ctx.say(`  SHA-1      ${digest.toString('hex')}`);
    ctx.say(`  base64     ${computeAcceptKey(decision.key)}   (RFC 6455 §1.3 gives the same)`);

    ctx.step('step 4: answer 101 — after this blank line, the connection speaks frames');
    for (const line of formatSwitchingProtocols(decision).trimEnd().split('\r\n'))
      ctx.say(`  ${line}`);

    ctx.step(
      'step 5: a live server answers one good request (names in lower case) and five bad ones',
    );
    await showRefusals(ctx);
    return undefined;
  },
};
