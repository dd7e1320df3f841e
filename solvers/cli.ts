// `lagrad` on the command line: the CLI of src/cli with every built-in schedule registered.
import { nodeIo } from '../src/cli/io.ts';
import { runCli } from '../src/cli/main.ts';
import './index.ts';

process.exitCode = await runCli(process.argv.slice(2), await nodeIo());
