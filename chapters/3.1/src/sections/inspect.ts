/**
 * 3.1.5, live — the frame inspector: a page that shows every frame the browser sends, bit by
 * bit, as the server read it from the raw bytes; the server's reply; and the handshake.
 * Shows:  FIN, RSV1–3, opcode, MASK, the 7/16/64-bit length forms, the masking key, the
 *         masked and unmasked payload; the server's reply in N fragments; ping, pong, close.
 * Run:    npm run chapter:3.1 -- inspect [--port 1235] [--host 127.0.0.1]   (PORT=… also works)
 * Expect: "listening on ws://127.0.0.1:1235/"; open http://127.0.0.1:1235/ and send 5 B,
 *         300 B and 70 KB: 7-, 16- and 64-bit lengths, MASK = 1 from the browser, 0 back.
 */
import type { Section } from '@course/course-kit';
import { type InspectorServer, startInspector } from '../inspector/inspector-server.ts';
import { explainListenError, parseListenArgs } from '../listen-args.ts';

/** One above 3.1.4's 1234, so the chat server and the inspector can run side by side. */
export const INSPECT_DEFAULT_PORT = 1235;

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

export const inspectSection: Section = {
  id: 'inspect',
  title: 'The frame inspector',
  summary: 'each frame your browser sends and gets, bit by bit, on a page (--host, --port, PORT)',
  options: { host: { type: 'string' }, port: { type: 'string' } },
  untilInterrupted: true,
  byNameOnly: true,
  async run(ctx) {
    const port = process.env.PORT || String(INSPECT_DEFAULT_PORT);
    const address = parseListenArgs(ctx.args, { ...process.env, PORT: port });
    let running: InspectorServer;
    try {
      running = await startInspector({ ...address, log: (line) => ctx.say(`  ${line}`) });
    } catch (error) {
      throw explainListenError(error, address);
    }
    // Tools and tests wait for exactly this line.
    ctx.say(`listening on ${running.url}`);
    ctx.say(`  open ${running.url.replace(/^ws:/, 'http:')} in a browser and send a message;`);
    ctx.say('  try 5 B, 300 B and 70 KB, the Ping and Close buttons, and a reply in 3 fragments');
    ctx.say('  press Ctrl-C to stop');

    await untilAborted(ctx.signal);
    await running.close();
    ctx.say('  stopped');
    return undefined;
  },
};
