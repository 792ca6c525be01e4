/**
 * A server that reads a real upgrade request but answers with whatever `answer` returns —
 * a wrong accept value, the original chapter's hixie-era headers, a plain 200. Section 3.1.3
 * and the tests use it to show which answers a real client refuses.
 */
import { createServer } from 'node:net';
import {
  type HttpRequestHead,
  HttpRequestParser,
  type UpgradeDecision,
  validateUpgradeRequest,
} from '@course/ws-core';
import { listenOnLoopback } from './loopback.ts';

export interface Impostor {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The bytes to answer with: a head, perhaps followed by frames. */
export type Answer = (decision: UpgradeDecision, head: HttpRequestHead) => string | Uint8Array;

export async function startImpostor(answer: Answer): Promise<Impostor> {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    const parser = new HttpRequestParser();
    socket.on('data', (chunk) => {
      try {
        const parsed = parser.push(chunk);
        if (!parsed) return;
        socket.removeAllListeners('data');
        // Keep the connection open after answering: the client must be the one to give up.
        socket.write(
          answer(validateUpgradeRequest(parsed.head, { protocols: ['chat'] }), parsed.head),
        );
      } catch {
        socket.destroy();
      }
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { host: '127.0.0.1', port, close };
}
