import { LagradError, UsageError } from '../error.ts';

/**
 * Named entries, registered explicitly, with loud errors: the tables that resolve schedule and
 * checkpoint-strategy names. `unknown` renders the error for a name not in the table (a UsageError).
 */
export class NamedTable<T extends { readonly name: string }> {
  private readonly table = new Map<string, T>();

  constructor(
    private readonly kind: string,
    entries: Iterable<T> = [],
    private readonly unknown: (name: string, known: string) => LagradError = (name, known) =>
      new UsageError(`${kind} '${name}'`, `unknown; choose one of ${known}`),
  ) {
    for (const entry of entries) this.register(entry);
  }

  register(entry: T): this {
    if (this.table.has(entry.name)) throw new LagradError(`${this.kind} '${entry.name}'`, 'is already registered');
    this.table.set(entry.name, entry);
    return this;
  }

  get(name: string): T {
    const entry = this.table.get(name);
    if (entry === undefined) throw this.unknown(name, this.names().join(', '));
    return entry;
  }

  names(): string[] {
    return [...this.table.keys()];
  }

  list(): T[] {
    return [...this.table.values()];
  }
}
