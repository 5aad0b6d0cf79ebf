import { EventRegistry } from './event-registry';
import { EventRegistryError } from './errors';

describe('EventRegistry', () => {
  it('rejects a type registered twice', () => {
    expect(
      () =>
        new EventRegistry([
          { type: 'JobSubmitted' },
          { type: 'JobSubmitted', schemaVersion: 2, upcasters: { 1: (d) => d } },
        ]),
    ).toThrow(new EventRegistryError('event type "JobSubmitted" is registered twice'));
  });

  it('rejects names that are not PascalCase and versions without an upcaster path', () => {
    expect(() => new EventRegistry([{ type: 'job_submitted' }])).toThrow(EventRegistryError);
    expect(() => new EventRegistry([{ type: 'JobSubmitted', schemaVersion: 3, upcasters: { 1: (d) => d } }])).toThrow(
      new EventRegistryError('event type "JobSubmitted" lacks an upcaster from version 2'),
    );
  });

  it('upcasts stored data step by step to the current version', () => {
    const registry = new EventRegistry([
      {
        type: 'MinerRegistered',
        schemaVersion: 3,
        upcasters: {
          1: (data) => ({ ...(data as object), region: 'unknown' }),
          2: (data) => {
            const { gpu, ...rest } = data as { gpu: string };
            return { ...rest, gpus: [gpu] };
          },
        },
      },
    ]);
    expect(registry.upcast('MinerRegistered', 1, { gpu: 'RTX 4090' })).toEqual({
      schemaVersion: 3,
      data: { region: 'unknown', gpus: ['RTX 4090'] },
    });
    expect(registry.upcast('MinerRegistered', 3, { gpus: [] })).toEqual({ schemaVersion: 3, data: { gpus: [] } });
  });

  it('passes unknown types through and refuses versions newer than it knows', () => {
    const registry = new EventRegistry([{ type: 'JobSubmitted' }]);
    expect(registry.upcast('SomethingElse', 7, { a: 1 })).toEqual({ schemaVersion: 7, data: { a: 1 } });
    expect(() => registry.upcast('JobSubmitted', 2, {})).toThrow(EventRegistryError);
    expect(() => registry.schemaVersionOf('SomethingElse')).toThrow(
      new EventRegistryError('event type "SomethingElse" is not registered'),
    );
  });
});
