/**
 * The module a test should load: the student's file, or — during the self-check — the
 * reference solution at the same path under solutions/.
 *
 * Static imports are redirected by the exercises' vitest config; this helper covers the
 * modules a test hands to a worker thread or child process by URL, which vite never sees.
 */
import { TARGET_ENV } from './paths.ts';

export function studentModule(relative: string, testUrl: string): URL {
  const url = new URL(relative, testUrl);
  if (process.env[TARGET_ENV] !== 'solutions') return url;
  return new URL(url.href.replace(/\/exercises\/(?=[^/]+\/[^/]+$)/, '/solutions/'));
}
