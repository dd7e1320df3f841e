// Whether the sweeps are generated (new Function) or interpreted. Code generation is refused under
// a strict Content-Security-Policy and `node --disallow-code-generation-from-strings` (an EvalError);
// that is detected once, and from then on the interpreted sweeps run everywhere. The interpreter can
// also be chosen: `useInterpreter(true)`, or LAGRAD_INTERPRET=1 in the environment (to run a whole
// test suite against it).

let allowed: boolean | undefined;
let forced = readEnvironment();
let epoch = 0;

function readEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const flag = env?.LAGRAD_INTERPRET;
  return flag !== undefined && flag !== '' && flag !== '0' && flag !== 'false';
}

/** True when this runtime lets lagrad compile code from strings (probed once). */
export function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = new Function('return 1')() === 1;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}

/** True when the sweeps and rules are interpreted: code generation is not allowed, or the interpreter was chosen. */
export function interpreting(): boolean {
  return forced || !codeGenerationAllowed();
}

/**
 * Chooses the interpreted sweeps (true) or the generated ones where allowed (false); returns the
 * previous choice. Every program's bound sweeps follow at their next call.
 */
export function useInterpreter(on: boolean): boolean {
  const previous = forced;
  if (on !== forced) {
    forced = on;
    epoch++;
  }
  return previous;
}

/** Changes whenever the choice does: the registry recompiles when it sees a new epoch. */
export function codegenEpoch(): number {
  return epoch;
}
