import { runCli } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

/** Runs `lagrad …` in-process with files from `files` and `stdin`; returns status and output. */
export async function lagrad(
  argv: string[],
  files: Record<string, string> = {},
  stdin = '',
): Promise<{ status: number; out: string; err: string; written: Record<string, string> }> {
  let out = '';
  let err = '';
  const written: Record<string, string> = {};
  const io: Io = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    readStdin: () => stdin,
    readFile: (path) => {
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return files[path];
    },
    writeFile: (path, text) => void (written[path] = text),
    interactive: false,
  };
  const status = await runCli(argv, io);
  return { status, out, err, written };
}
