import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where in the user's code a traced operation was called: the place a trace-time error names.

/** lagrad's own source folder: frames inside it are ours, not the caller's. */
const ours = fileURLToPath(new URL('..', import.meta.url));

/**
 * `model.ts:12:5` — the first frame of the current call stack outside lagrad's sources, relative
 * to the working directory; null when the stack does not say (then the error names `trace`).
 */
export function callerPlace(): string | null {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?(?:file:\/\/)?([^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!match) continue;
    const path = match[1].startsWith('/') || /^[A-Za-z]:/.test(match[1]) ? match[1] : null;
    if (path === null || path.startsWith(ours) || path.includes(`${sep}node_modules${sep}`) || path.startsWith('node:')) continue;
    const near = relative(process.cwd(), path);
    return `${near && !near.startsWith('..') ? near : path}:${match[2]}:${match[3]}`;
  }
  return null;
}
