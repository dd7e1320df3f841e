import { readFileSync, writeFileSync } from 'node:fs';

/** What the CLI touches outside itself, so tests can run it in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readStdin(): string;
  readFile(path: string): string;
  /** Writes a file (plots, reports). */
  writeFile(path: string, text: string): void;
  /** True when standard error is a terminal (progress bars). */
  readonly interactive: boolean;
}

/** The process's own standard streams and file system. */
export function nodeIo(): Io {
  return {
    out: writer(process.stdout, 'standard output'),
    err: writer(process.stderr, 'standard error'),
    readStdin: () => {
      // A terminal would otherwise sit silent until end of input.
      if (process.stdin.isTTY)
        process.stderr.write(
          `lagrad: reading the program from standard input; end it with ${process.platform === 'win32' ? 'Ctrl-Z and Enter' : 'Ctrl-D'}\n`,
        );
      return readFileSync(0, 'utf8');
    },
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text),
    interactive: Boolean(process.stderr.isTTY),
  };
}

/**
 * Writes to a standard stream until its reader goes away (`lagrad … | head`): then the rest is
 * dropped quietly and the command still ends with its own exit status, where Node would print an
 * EPIPE stack trace.
 */
function writer(stream: NodeJS.WriteStream, label: string): (text: string) => void {
  let open = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    open = false;
    if (e.code !== 'EPIPE' && stream !== process.stderr) process.stderr.write(`lagrad: ${label}: ${e.message}\n`);
  });
  return (text) => {
    if (open) stream.write(text);
  };
}
