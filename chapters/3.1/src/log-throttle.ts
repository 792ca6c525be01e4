/**
 * At most one log line per interval for a line that a client can make us write at will (one per
 * refused connection): a client opening thousands of connections must not fill the log or
 * spend the server's time writing it. Lines in between are counted, never silently lost.
 */
export interface ThrottledLog {
  /** Writes `line`, or counts it when a line went out less than the interval ago. */
  (line: string): void;
  /** Writes the last held-back line with its count, if any (when the server stops). */
  flush(): void;
}

export function throttleLog(
  log: (line: string) => void,
  intervalMs = 1000,
  /** Milliseconds; injectable so tests never wait for the interval. */
  now: () => number = () => performance.now(),
): ThrottledLog {
  let lastWritten = Number.NEGATIVE_INFINITY;
  let heldBack: string | undefined;
  let count = 0; // lines held back since the last one written

  const write = (line: string, more: number) => {
    log(more === 0 ? line : `${line} (and ${more} more like it since the last line)`);
  };
  const throttled = (line: string) => {
    const time = now();
    if (time - lastWritten < intervalMs) {
      heldBack = line;
      count++;
      return;
    }
    lastWritten = time;
    write(line, count);
    heldBack = undefined;
    count = 0;
  };
  throttled.flush = () => {
    if (heldBack !== undefined) write(heldBack, count - 1);
    heldBack = undefined;
    count = 0;
  };
  return throttled;
}
