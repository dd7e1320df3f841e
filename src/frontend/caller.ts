// Where in the user's code a traced operation was called: the place a trace-time error names.
// Plain string work on the stack trace, no Node built-ins, so it runs in browsers too.

/** lagrad's own source folder (as a URL): frames inside it are ours, not the caller's. */
const ours = new URL('..', import.meta.url).href;

/**
 * `model.ts:12:5` — the first frame of the current call stack outside lagrad's sources (relative
 * to the working directory where there is one); null when the stack does not say (then the error
 * names `trace`).
 */
export function callerPlace(): string | null {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^\s()]*|[A-Za-z]:\\[^\s()]*):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!match) continue;
    const path = match[1];
    const url = path.startsWith('file://')
      ? path
      : `file://${path.startsWith('/') ? '' : '/'}${path.replaceAll('\\', '/')}`;
    if (url.startsWith(ours) || url.includes('/node_modules/')) continue;
    return `${near(url.slice('file://'.length))}:${match[2]}:${match[3]}`;
  }
  return null;
}

/** The path relative to the working directory when it lies inside it, else as it is. */
function near(path: string): string {
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  if (cwd === undefined) return path;
  const prefix = cwd.replaceAll('\\', '/').replace(/\/?$/, '/');
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}
