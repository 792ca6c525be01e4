/**
 * 3.2.4 Processes — the original's multiprocessing Queue sample with fork() and process.send().
 * Shows:  the child puts one item on the IPC channel; the parent gets it, then joins (waits for
 *         the child to exit). The item arrives as a copy: the processes share no memory.
 * Run:    npx tsx chapters/3.2/src/plain/fork-queue.ts
 * Expect: parent (pid A) got [4031,1024,"my data"] from child pid B; the child exited with code 0
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';

const CHILD = new URL('./queue.child.ts', import.meta.url);

async function main(): Promise<void> {
  // 1. Start the child: a new Node process with an IPC channel; --import tsx lets it run .ts.
  //    'advanced' serialization copies with the structured clone that worker threads use
  //    (Map, Set, bigint, …); the default is JSON.
  const child = fork(CHILD, { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
  const exited = once(child, 'exit'); // listen before anything can make it exit
  // 2. get(): wait for the child's item. once() rejects if the child cannot be started.
  const [item] = await once(child, 'message');
  // 3. join(): wait for the child to end. Like the original, get first, then join: in Python
  //    the other order can deadlock with a big item (Node keeps reading the channel meanwhile).
  const [code] = await exited;
  console.log(
    `parent (pid ${process.pid}) got ${JSON.stringify(item)} from child pid ${child.pid}; the child exited with code ${code}`,
  );
}

await main();
