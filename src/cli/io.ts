import { readFileSync } from 'node:fs';

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
export async function nodeIo(): Promise<Io> {
  const { writeFileSync } = await import('node:fs');
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: () => readFileSync(0, 'utf8'),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text),
    interactive: Boolean(process.stderr.isTTY),
  };
}
