import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { RPC_PEER, withDeadline } from '@course/classroom/concurrency';
import { forkTs } from '@course/course-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Channel, RpcClient, RpcError } from './05-ipc-rpc.ts';

const PEER = RPC_PEER;
const children: ChildProcess[] = [];

/** An in-memory channel that echoes: checks the client quickly before any process starts. */
function memoryChannel(): Channel {
  const listeners: Array<(message: unknown) => void> = [];
  return {
    send(message) {
      const { id, params } = message as { id: unknown; params: unknown };
      setImmediate(() => {
        for (const listener of listeners) listener({ id, result: params });
      });
      return true;
    },
    on(event: string, listener: (...args: never[]) => void) {
      if (event === 'message') listeners.push(listener as (message: unknown) => void);
      return this;
    },
  } as Channel;
}

async function startPeer(): Promise<ChildProcess> {
  // A client that cannot answer an in-memory echo fails here, without forking a process.
  expect(
    await new RpcClient(memoryChannel()).call('echo', 'ping'),
    'echo over an in-memory channel',
  ).toBe('ping');
  const child = forkTs(PEER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(child);
  return child;
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  }
});

describe('3.2/05 RpcClient', () => {
  it('matches 200 concurrent replies to their calls although they arrive out of order', async () => {
    const client = new RpcClient(await startPeer());
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.call('echo', i)),
    );
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("answers a call, rejects a call with the child's error, and keeps working", async () => {
    const client = new RpcClient(await startPeer());
    expect(await client.call('echo', { hello: 'world' })).toEqual({ hello: 'world' });
    await expect(client.call('fail', 7)).rejects.toBeInstanceOf(RpcError);
    expect(await client.call('echo', 'still here')).toBe('still here');
  });

  it('rejects every waiting call when the child exits, instead of hanging', async () => {
    const child = await startPeer();
    const client = new RpcClient(child);
    await client.call('echo', 'warm');
    const waiting = [client.call('hold', 1), client.call('hold', 2)];
    const outcomes = Promise.allSettled([...waiting, client.call('exit')]);
    const settled = await withDeadline(
      outcomes,
      5_000,
      () =>
        `the child exited, but the calls waiting for it were never settled (pending: ${client.pending})`,
    );
    for (const outcome of settled) expect(outcome.status, 'every call is settled').toBe('rejected');
    const reason = (settled[2] as PromiseRejectedResult).reason as Error;
    expect(reason, 'the reason of the call that made the child exit').toBeInstanceOf(RpcError);
    expect(reason.message, 'says how the child exited').toMatch(/exit|code 3/);
  });

  it('fails a call made after the child exited at once', async () => {
    const child = await startPeer();
    const client = new RpcClient(child);
    await client.call('echo', 'warm');
    child.kill();
    await once(child, 'exit');
    await expect(client.call('echo', 1)).rejects.toBeInstanceOf(RpcError);
  });
});
