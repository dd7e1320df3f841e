import { createRequire } from 'node:module';
import { LagradError } from '../error.ts';

// Plotting (vega, vega-lite) and progress bars (cli-progress) are optional peer dependencies: a
// library user who only differentiates does not install them. They load on first use, and a
// missing one is one line naming what to install.

/** The error for a feature whose optional packages are not installed. */
export function missing(feature: string, packages: readonly string[]): LagradError {
  const s = packages.length > 1 ? 's' : '';
  return new LagradError(
    feature,
    `needs the optional package${s} ${packages.join(' and ')}: npm install ${packages.join(' ')}`,
  );
}

/** True when `e` says that package `name` itself could not be found (not one of its own imports). */
export function isMissing(e: unknown, name: string): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const message = e instanceof Error ? e.message : '';
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    (message.includes(`'${name}'`) || message.includes(`"${name}"`))
  );
}

/** Loads a CommonJS package synchronously, or returns null when it is not installed. */
export function requireOptional<T>(name: string): T | null {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch (e) {
    if (isMissing(e, name)) return null;
    throw e;
  }
}
