#!/usr/bin/env node
// `lagrad` on the command line: the package's executable once compiled (dist/src/cli/bin.js);
// in a checkout, `npm run lagrad` runs this file through tsx.
import { nodeIo } from './io.ts';
import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2), nodeIo());
