#!/usr/bin/env node
// The installed `lagrad` executable: loads TypeScript through tsx, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
