import { UsageError } from '@course/course-kit';
import { describe, expect, it } from 'vitest';
import { explainListenError, parseListenArgs } from '../src/listen-args.ts';

describe('parseListenArgs', () => {
  it('defaults to 127.0.0.1:1234, the original chapter’s port', () => {
    expect(parseListenArgs({}, {})).toEqual({ host: '127.0.0.1', port: 1234 });
  });

  it('reads PORT from the environment, and --port wins over it', () => {
    expect(parseListenArgs({}, { PORT: '0' })).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenArgs({ port: '4000' }, { PORT: '5000' }).port).toBe(4000);
  });

  it.each(['abc', '-1', '65536', '1.5', ''])('refuses --port %j with a usage error', (port) => {
    expect(() => parseListenArgs({ port }, {})).toThrow(UsageError);
    expect(() => parseListenArgs({ port }, {})).toThrow(/--port expects a port from 0 to 65535/);
  });

  it('explains a busy port with one line that suggests --port 0', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const explained = explainListenError(busy, { host: '127.0.0.1', port: 1234 });
    expect(explained).toBeInstanceOf(UsageError);
    expect(explained.message).toBe(
      'port 1234 on 127.0.0.1 is already in use; stop the other server or pass --port 0 for any free port',
    );
  });
});
