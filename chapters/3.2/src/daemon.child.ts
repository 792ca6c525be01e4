// Child process for 3.2.1: starts a ticking worker, then its main module simply ends.
// With "unref" the worker is a daemon — the process exits without waiting for it;
// with "join" the process waits until the worker has finished all its ticks.
import { startTsWorker } from '@course/course-kit';
import type { TickerData } from './ticker.worker.ts';

const mode = process.argv[2] === 'unref' ? 'unref' : 'join';
const data: TickerData = { label: mode, periodMs: 100, ticks: 5 };
const worker = startTsWorker(new URL('./ticker.worker.ts', import.meta.url), data);
worker.on('message', ({ tick }: { tick: number }) => process.stdout.write(`tick ${tick}\n`));
if (mode === 'unref') worker.unref();
