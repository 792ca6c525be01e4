/**
 * Plain HTTP GETs: the chat page (public/index.html, chat.js, chat.css), read once at
 * start-up; 426 "Upgrade Required" for a WebSocket endpoint opened as a web page; else a
 * 404 from ws-core.
 */
import { readFileSync } from 'node:fs';
import { type HttpRequestHead, targetPath } from '@course/ws-core';

const PUBLIC_DIR = new URL('../public/', import.meta.url);

const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
  '/chat.css': { file: 'chat.css', type: 'text/css; charset=utf-8' },
} as const;

export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

/** Returns the `onHttpRequest` handler for ws-core's server. */
export function createHttpHandler(
  endpoints: readonly string[],
): (head: HttpRequestHead) => HttpReply | undefined {
  const bodies = new Map<string, Buffer>();
  for (const { file } of Object.values(FILES)) {
    if (!bodies.has(file)) bodies.set(file, readFileSync(new URL(file, PUBLIC_DIR)));
  }
  return (head): HttpReply | undefined => {
    const path = targetPath(head.target);
    if (endpoints.includes(path)) {
      return {
        status: 426,
        headers: { Upgrade: 'websocket', 'Content-Type': 'text/plain; charset=utf-8' },
        body: `${path} is a WebSocket endpoint: open it with new WebSocket('ws://…${path}')\n`,
      };
    }
    // Browsers ask for an icon on their own; an empty answer keeps their console clean.
    if (path === '/favicon.ico') return { status: 204, body: '' };
    const entry = (FILES as Record<string, { file: string; type: string }>)[path];
    const body = entry && bodies.get(entry.file);
    if (!entry || !body) return undefined;
    return {
      status: 200,
      headers: {
        'Content-Type': entry.type,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // The page loads only its own files and talks only to this server.
        'Content-Security-Policy': "default-src 'self'",
      },
      body,
    };
  };
}
