// `lagrad` on the command line.
import { nodeIo } from './io.ts';
import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2), await nodeIo());
