import { EventRegistryError } from './errors';

/** Turns the data of schema version `n` into version `n + 1`. Pure. */
export type Upcaster = (data: unknown) => unknown;

/**
 * A permanent event type. `schemaVersion` is what new appends are written as; `upcasters[n]` lifts
 * stored data of version `n` to `n + 1`, so readers only ever see the current shape.
 */
export interface EventDefinition {
  type: string;
  schemaVersion?: number;
  upcasters?: Readonly<Record<number, Upcaster>>;
}

/**
 * Every event type the process knows. Built once at boot from plain arrays; a type registered twice
 * is a startup error, because two modules meaning different things by one name would corrupt history.
 */
export class EventRegistry {
  private readonly definitions = new Map<string, Required<EventDefinition>>();

  constructor(definitions: readonly EventDefinition[] = []) {
    definitions.forEach((definition) => this.register(definition));
  }

  register(definition: EventDefinition): void {
    const schemaVersion = definition.schemaVersion ?? 1;
    if (!/^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)*$/.test(definition.type)) {
      throw new EventRegistryError(`event type "${definition.type}" must be PascalCase (e.g. JobSubmitted)`);
    }
    if (this.definitions.has(definition.type)) {
      throw new EventRegistryError(`event type "${definition.type}" is registered twice`);
    }
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
      throw new EventRegistryError(`event type "${definition.type}": schemaVersion must be an integer ≥ 1`);
    }
    const upcasters = definition.upcasters ?? {};
    for (let version = 1; version < schemaVersion; version++) {
      if (typeof upcasters[version] !== 'function') {
        throw new EventRegistryError(`event type "${definition.type}" lacks an upcaster from version ${version}`);
      }
    }
    this.definitions.set(definition.type, { type: definition.type, schemaVersion, upcasters });
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  /** The schema version an append of `type` is stored as; throws for an unknown type. */
  schemaVersionOf(type: string): number {
    const definition = this.definitions.get(type);
    if (!definition) {
      throw new EventRegistryError(`event type "${type}" is not registered`);
    }
    return definition.schemaVersion;
  }

  /**
   * Lifts stored data to the current shape. Types this process does not know pass through unchanged
   * (a feed consumer sees every module's events); a version newer than known is refused, since it
   * cannot be read safely (an older build reading a newer build's events).
   */
  upcast(type: string, storedVersion: number, data: unknown): { schemaVersion: number; data: unknown } {
    const definition = this.definitions.get(type);
    if (!definition || storedVersion === definition.schemaVersion) {
      return { schemaVersion: storedVersion, data };
    }
    if (storedVersion > definition.schemaVersion) {
      throw new EventRegistryError(
        `event type "${type}" was stored as version ${storedVersion}, newer than this build's ${definition.schemaVersion}`,
      );
    }
    let current = data;
    for (let version = storedVersion; version < definition.schemaVersion; version++) {
      current = definition.upcasters[version](current);
    }
    return { schemaVersion: definition.schemaVersion, data: current };
  }
}
