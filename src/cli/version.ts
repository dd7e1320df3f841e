import { readFileSync } from 'node:fs';

/**
 * The version in lagrad's package.json, found by walking up from this file: src/cli/ in a
 * checkout, dist/bin/ (the bundled executable) in the installed package.
 */
export function version(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'lagrad' && manifest.version) return manifest.version;
    } catch {
      // no package.json here: look one folder up
    }
    if (new URL('..', dir).href === dir.href) return 'unknown';
  }
}
