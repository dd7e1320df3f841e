#!/usr/bin/env node
// `lagrad` on the command line. The package's executable is this file bundled into one (dist/bin/
// lagrad.js, scripts/build.mjs), which starts several times faster than the tree of modules; in a
// checkout, `npm run lagrad` runs it through tsx.
import { nodeIo } from './io.ts';
import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2), nodeIo());
