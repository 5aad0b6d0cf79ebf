import { ErrorCode } from '@aitbc/contracts';
import {
  decideCapture,
  decideDeposit,
  decideHold,
  decideRefund,
  evolveEscrow,
  initialAccountState,
  initialEscrowState,
  ledgerTx,
  type EscrowState,
} from './ledger';
import type { NewEscrowEvent } from './ledger.events';

const JOB = '0f6a3c2e9b7d4a1f8e5c2b9a6d3f0e7c';
const AT = new Date('2026-01-24T10:15:13.000Z');

/** Folds new events the way the store will, positions counted from 1. */
function given(...events: NewEscrowEvent[]): EscrowState {
  return events.reduce(
    (state, event, index) =>
      evolveEscrow(state, {
        ...event,
        streamId: `ledger-job-${JOB}`,
        streamPosition: index + 1,
        schemaVersion: 1,
      }),
    initialEscrowState(),
  );
}

const held = (amountMicro = 500_000) =>
  decideHold(initialEscrowState(), { jobId: JOB, clientId: 'alice', amountMicro, balanceMicro: 1_000_000, at: AT });

describe('ledger decisions', () => {
  it('hashes the RFC 8785 canonical body with sha256', () => {
    const body = {
      kind: 'deposit' as const,
      job_id: null,
      entries: [{ account: 'client:alice', delta_micro: 1 }],
      created_at: AT.toISOString(),
      ref: 'r',
    };
    // key order must not matter: the canonical form sorts it
    const reordered = { ref: 'r', created_at: AT.toISOString(), entries: body.entries, job_id: null, kind: body.kind };
    expect(ledgerTx(body).tx_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ledgerTx(reordered).tx_hash).toBe(ledgerTx(body).tx_hash);
  });

  it('a deposit credits new money, its reference making two equal deposits two transactions', () => {
    const first = decideDeposit(initialAccountState(), 'client:alice', 10_500_000, AT);
    const second = decideDeposit({ version: 1 }, 'client:alice', 10_500_000, AT);
    expect(first[0].data.tx).toEqual({
      kind: 'deposit',
      job_id: null,
      entries: [{ account: 'client:alice', delta_micro: 10_500_000 }],
      created_at: AT.toISOString(),
      ref: 'account-client:alice#1',
      tx_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(second[0].data.tx.tx_hash).not.toBe(first[0].data.tx.tx_hash);
    expect(() => decideDeposit(initialAccountState(), 'client:alice', 0, AT)).toThrow(RangeError);
  });

  describe('hold', () => {
    it('given no hold, when the client can pay, then the amount moves from the client into the job’s escrow', () => {
      const [event] = held();
      expect(event.type).toBe('EscrowHeld');
      expect(event.data).toMatchObject({ job_id: JOB, client_id: 'alice', amount_micro: 500_000 });
      expect(event.data.tx.entries).toEqual([
        { account: 'client:alice', delta_micro: -500_000 },
        { account: `escrow:${JOB}`, delta_micro: 500_000 },
      ]);
    });

    it('given no hold, when the amount exceeds the balance, then 402 and no events', () => {
      const request = { jobId: JOB, clientId: 'alice', amountMicro: 1_000_001, balanceMicro: 1_000_000, at: AT };
      expect(() => decideHold(initialEscrowState(), request)).toThrow(
        expect.objectContaining({ code: ErrorCode.PAYMENT_REQUIRED, message: 'payment_amount exceeds the balance' }),
      );
    });

    it('given a hold, when held again (a duplicate delivery), then nothing — even with no balance left', () => {
      expect(
        decideHold(given(...held()), { jobId: JOB, clientId: 'alice', amountMicro: 500_000, balanceMicro: 0, at: AT }),
      ).toEqual([]);
    });
  });

  describe('capture', () => {
    it('given a hold, when completed, then the price goes to the miner and the rest back to the client', () => {
      const [event] = decideCapture(given(...held()), 'rig-1', 250_000, AT);
      expect(event.type).toBe('EscrowCaptured');
      expect(event.data).toMatchObject({ miner_id: 'rig-1', captured_micro: 250_000, refunded_micro: 250_000 });
      expect(event.data.tx.entries).toEqual([
        { account: `escrow:${JOB}`, delta_micro: -500_000 },
        { account: 'miner:rig-1', delta_micro: 250_000 },
        { account: 'client:alice', delta_micro: 250_000 },
      ]);
    });

    it('given a hold, when the price exceeds it, then the capture is capped by the hold', () => {
      const [event] = decideCapture(given(...held()), 'rig-1', 9_000_000, AT);
      expect(event.data).toMatchObject({ captured_micro: 500_000, refunded_micro: 0 });
      expect(event.data.tx.entries).toEqual([
        { account: `escrow:${JOB}`, delta_micro: -500_000 },
        { account: 'miner:rig-1', delta_micro: 500_000 },
      ]);
    });

    it('given a capture or a refund or no hold, when captured, then nothing', () => {
      const state = given(...held());
      expect(decideCapture(given(...held(), ...decideCapture(state, 'rig-1', 1, AT)), 'rig-1', 1, AT)).toEqual([]);
      expect(decideCapture(given(...held(), ...decideRefund(state, AT)), 'rig-1', 1, AT)).toEqual([]);
      expect(decideCapture(initialEscrowState(), 'rig-1', 1, AT)).toEqual([]);
    });
  });

  describe('refund', () => {
    it('given a hold, when the job fails, is canceled or expires, then the whole hold goes back', () => {
      const [event] = decideRefund(given(...held()), AT);
      expect(event.type).toBe('EscrowRefunded');
      expect(event.data.tx.entries).toEqual([
        { account: `escrow:${JOB}`, delta_micro: -500_000 },
        { account: 'client:alice', delta_micro: 500_000 },
      ]);
    });

    it('given a capture or a refund or no hold, when refunded, then nothing', () => {
      const state = given(...held());
      expect(decideRefund(given(...held(), ...decideCapture(state, 'rig-1', 1, AT)), AT)).toEqual([]);
      expect(decideRefund(given(...held(), ...decideRefund(state, AT)), AT)).toEqual([]);
      expect(decideRefund(initialEscrowState(), AT)).toEqual([]);
    });
  });
});
