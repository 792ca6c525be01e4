/**
 * 3.4.2 Many processes, one port — node:cluster workers, each running chapter 3.1's chat.
 * Shows:  the primary hands each connection to the next worker (round robin), and each worker
 *         has its own rooms: two members of "lobby" on two workers never see each other.
 * Run:    npm run chapter:3.4 -- 3.4.2 [--workers 2]
 * Expect: "bob never saw alice's line, nor alice bob's: each worker has a lobby of its own"
 */
import { type Section, wholeNumberArg } from '@course/course-kit';
import { type ChatCluster, MAX_WORKERS, startChatCluster } from '../cluster/chat-cluster.ts';
import { crossTalk, joinOnTwoWorkers } from '../cluster/placement.ts';

export const manyProcesses: Section = {
  id: '3.4.2',
  title: 'Many processes, one port',
  summary: `node:cluster workers share a port; a room splits by worker (--workers 2-${MAX_WORKERS})`,
  options: { workers: { type: 'string' } },
  async run({ args, say, step, signal }) {
    const workers = wholeNumberArg(args, 'workers', 2, { min: 2, max: MAX_WORKERS });

    step(`1. fork ${workers} workers that share one port (round robin, each with its own hub)`);
    const chat: ChatCluster = await startChatCluster({ workers, relay: 'local', roster: 'local' });
    const stopOnAbort = () => void chat.stop();
    signal.addEventListener('abort', stopOnAbort, { once: true });
    try {
      const pids = chat.workers.map((w) => w.pid).join(', ');
      say(`${workers} workers (pids ${pids}) all listen on ${chat.url}`);

      step('2. alice and bob join "lobby"; each welcome says which worker answered');
      const [alice, bob] = await joinOnTwoWorkers(chat.url, 'lobby', 'alice', 'bob', signal);
      say(`alice is on ${alice.server}, bob on ${bob.server}`);
      const listed = bob.welcome.members;
      say(
        `bob's welcome lists ${listed.length ? listed.join(', ') : 'nobody'}, though alice joined first`,
      );

      step('3. each says a line and waits for it to come back');
      const { bSawA, aSawB } = await crossTalk(alice, bob);
      say(`alice saw: ${alice.lines().join(' | ')}`);
      say(`bob saw:   ${bob.lines().join(' | ')}`);
      say(
        !bSawA && !aSawB
          ? "bob never saw alice's line, nor alice bob's: each worker has a lobby of its own"
          : 'they saw each other: these workers share their rooms',
      );
      await Promise.all([alice.close(), bob.close()]);
    } finally {
      signal.removeEventListener('abort', stopOnAbort);
      await chat.stop();
    }
    return undefined;
  },
};
