/**
 * Test-only: which processes are running, read from Linux /proc. No `pgrep` or `ps`: minimal
 * CI images lack procps, and a missing tool must not turn into failed tests.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessStat {
  ppid: number;
  /** One letter: R running, S sleeping, Z zombie (exited, not yet reaped), … */
  state: string;
}

function readStat(pid: number): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may hold spaces: read the fields after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state ?? '?' };
  } catch {
    return undefined; // no such process, or it ended between readdir and read
  }
}

/** Every running process, by parent: zombies are left out, they no longer run anything. */
function runningByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z') continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  return children;
}

/** True while a process with this pid exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** The running direct children of `parent` (default: this process), in pid order. */
export function childrenOf(parent: number = process.pid): number[] {
  return [...(runningByParent().get(parent) ?? [])].sort((a, b) => a - b);
}

/** Every running descendant of `root`: children, their children, and so on. */
export function descendantsOf(root: number): number[] {
  const children = runningByParent();
  const found: number[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
