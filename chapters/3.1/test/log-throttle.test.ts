import { describe, expect, it } from 'vitest';
import { throttleLog } from '../src/log-throttle.ts';
import { manualClock } from './helpers.ts';

describe('throttleLog', () => {
  it('writes at most one line a second, and the next line or flush says how many it held back', () => {
    const { time, now } = manualClock();
    const lines: string[] = [];
    const log = throttleLog((line) => lines.push(line), 1000, now);
    log('refused 1');
    log('refused 2');
    time.now += 999;
    log('refused 3');
    time.now += 1;
    log('refused 4');
    log('refused 5');
    log.flush();
    log.flush(); // nothing more held back
    expect(lines).toEqual([
      'refused 1',
      'refused 4 (and 2 more like it since the last line)',
      'refused 5',
    ]);
  });
});
