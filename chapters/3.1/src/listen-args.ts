/**
 * `--host`, `--port` and `PORT` for the chapter's server, checked before anything listens.
 * Precedence: the flag, then the environment, then the original chapter's port 1234.
 */
import { type SectionArgs, UsageError } from '@course/course-kit';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 1234;

export interface ListenAddress {
  host: string;
  port: number;
}

function parsePort(raw: string, source: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65_535)
    throw new UsageError(
      `${source} expects a port from 0 to 65535 (0 = any free port), got "${raw}"`,
    );
  return port;
}

export function parseListenArgs(
  args: SectionArgs,
  env: Record<string, string | undefined> = process.env,
): ListenAddress {
  const host = typeof args.host === 'string' ? args.host.trim() : DEFAULT_HOST;
  if (host === '') throw new UsageError('--host expects a host name or address, got ""');
  if (typeof args.port === 'string') return { host, port: parsePort(args.port, '--port') };
  if (env.PORT !== undefined && env.PORT !== '') return { host, port: parsePort(env.PORT, 'PORT') };
  return { host, port: DEFAULT_PORT };
}

/** Turns "address in use" into the one-line advice the command line prints. */
export function explainListenError(error: unknown, address: ListenAddress): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new UsageError(
      `port ${address.port} on ${address.host} is already in use; stop the other server or pass --port 0 for any free port`,
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UsageError(
      `cannot listen on host "${address.host}" (${code}); try --host 127.0.0.1`,
    );
  if (code === 'EACCES')
    return new UsageError(
      `no permission to listen on port ${address.port}; pass --port 0 or one above 1023`,
    );
  return error instanceof Error ? error : new Error(String(error));
}
