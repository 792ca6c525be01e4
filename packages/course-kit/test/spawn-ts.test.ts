import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { forkTs, startTsWorker } from '../src/spawn-ts.ts';

describe('spawn-ts', () => {
  it('starts a TypeScript worker thread and passes its data through', async () => {
    const worker = startTsWorker(new URL('./fixtures-echo.worker.ts', import.meta.url), {
      offset: 1,
    });
    try {
      worker.postMessage(20);
      const [reply] = await once(worker, 'message');
      expect(reply).toBe(41);
    } finally {
      await worker.terminate();
    }
  });

  it('forks a TypeScript child process with an IPC channel', async () => {
    const child = forkTs(new URL('./fixtures-echo.child.ts', import.meta.url));
    try {
      child.send(21);
      const [reply] = await once(child, 'message');
      expect(reply).toBe(42);
    } finally {
      child.kill();
    }
  });
});
