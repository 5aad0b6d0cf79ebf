import { decideDrain, decideRegister, decideStatus, evolveMiner, initialMinerState, MinerState } from './miner';
import type { MinerRegisteredData, NewMinerEvent } from './miner.events';
import { MinerNotRegisteredError } from './miner.errors';

const NOW = new Date('2026-01-24T10:00:00.000Z');

const registration = (overrides: Partial<MinerRegisteredData> = {}): MinerRegisteredData => ({
  miner_id: 'rig-1/gpu-a',
  owner_id: 'rig-1',
  capabilities: {
    gpus: [{ name: 'NVIDIA GeForce RTX 4060 Ti', vendor: 'nvidia', memory_mb: 16380 }],
    cuda: '12.4',
    models: ['llama3.2:latest'],
    services: ['llm_inference'],
    price: '0.02',
  },
  concurrency: 2,
  region: 'eu-west',
  endpoint: null,
  registered_at: '2026-01-24T09:00:00.000Z',
  ...overrides,
});

/** Given these events (in stream order), the miner's state. */
function given(...events: NewMinerEvent[]): MinerState {
  return events.reduce(
    (state, event, index) =>
      evolveMiner(state, { ...event, streamId: 'miner-rig-1/gpu-a', streamPosition: index + 1, schemaVersion: 1 }),
    initialMinerState(),
  );
}

const registered = (overrides: Partial<MinerRegisteredData> = {}): NewMinerEvent => ({
  type: 'MinerRegistered',
  data: registration(overrides),
});
const drained: NewMinerEvent = {
  type: 'MinerDrained',
  data: { miner_id: 'rig-1/gpu-a', drained_at: NOW.toISOString() },
};
const resumed: NewMinerEvent = {
  type: 'MinerResumed',
  data: { miner_id: 'rig-1/gpu-a', resumed_at: NOW.toISOString() },
};

describe('miner aggregate', () => {
  describe('evolveMiner', () => {
    it('starts unregistered', () => {
      expect(given()).toEqual({ registered: false, minerId: '', ownerId: '', status: 'ONLINE', concurrency: 0 });
    });

    it('is ONLINE once registered, with the registration it last made', () => {
      expect(given(registered(), registered({ concurrency: 8 }))).toEqual({
        registered: true,
        minerId: 'rig-1/gpu-a',
        ownerId: 'rig-1',
        status: 'ONLINE',
        concurrency: 8,
      });
    });

    it('follows drain and resume, and a new registration brings a draining miner back ONLINE', () => {
      expect(given(registered(), drained).status).toBe('DRAINING');
      expect(given(registered(), drained, resumed).status).toBe('ONLINE');
      expect(given(registered(), drained, registered()).status).toBe('ONLINE');
    });
  });

  describe('register', () => {
    it('given nothing, when it registers, then MinerRegistered', () => {
      expect(decideRegister(given(), registration())).toEqual([registered()]);
    });

    it('given a registered miner, when it registers again, then another MinerRegistered (an upsert)', () => {
      expect(decideRegister(given(registered()), registration({ concurrency: 4 }))).toEqual([
        registered({ concurrency: 4 }),
      ]);
    });
  });

  describe('drain', () => {
    it('given an ONLINE miner, when it drains, then MinerDrained', () => {
      expect(decideDrain(given(registered()), NOW)).toEqual([drained]);
    });

    it('given a DRAINING miner, when it drains again, then nothing (idempotent)', () => {
      expect(decideDrain(given(registered(), drained), NOW)).toEqual([]);
    });

    it('given nothing, when it drains, then MinerNotRegisteredError', () => {
      expect(() => decideDrain(given(), NOW)).toThrow(MinerNotRegisteredError);
    });
  });

  describe('declared status (heartbeat)', () => {
    it('given a DRAINING miner, when it declares ONLINE, then MinerResumed', () => {
      expect(decideStatus(given(registered(), drained), 'ONLINE', NOW)).toEqual([resumed]);
    });

    it('given an ONLINE miner, when it declares DRAINING, then MinerDrained', () => {
      expect(decideStatus(given(registered()), 'DRAINING', NOW)).toEqual([drained]);
    });

    it('given any miner, when it declares the status it has, then nothing', () => {
      expect(decideStatus(given(registered()), 'ONLINE', NOW)).toEqual([]);
      expect(decideStatus(given(registered(), drained), 'DRAINING', NOW)).toEqual([]);
    });

    it('given nothing, when it declares a status, then MinerNotRegisteredError with its code', () => {
      expect(() => decideStatus(given(), 'ONLINE', NOW)).toThrow(
        expect.objectContaining({ code: 'MINER_NOT_REGISTERED', message: 'miner not registered' }),
      );
    });
  });
});
