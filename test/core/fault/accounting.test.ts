import { describe, expect, test } from 'vitest';
import { FaultLedger } from '../../../src/core/fault/accounting.js';

const W = 1_000_000;

describe('FaultLedger', () => {
  test('no observation: masked; a stopped channel never isolated: hang', () => {
    const l = new FaultLedger();
    l.add('bus-drop', -1, -1, 0, W);
    l.add('channel-hang', 1, -1, 0, W);
    l.tick(W);
    expect(l.records.map((r) => r.fate)).toEqual(['masked', 'hang']);
    expect(l.counts()).toMatchObject({ masked: 1, hang: 1 });
  });

  test('corrected, isolated, failSafe and sdc are each the most severe fate seen in the window', () => {
    const l = new FaultLedger();
    const corrected = l.add('memory-flip', 0, -1, 0, W);
    const isolated = l.add('wrong-command', 2, -1, 0, W);
    l.observe(corrected, 'corrected', 3000, 'ecc');
    l.close(corrected);
    l.isolation(2, 20_000, 'miscompare');
    expect(l.records[isolated]?.fate).toBe('isolated');
    expect(l.records[isolated]?.detectionLatencyMicros).toBe(20_000);
    expect(l.records[isolated]?.detectedBy).toBe('voter:miscompare');
    const fs = l.add('channel-crash', 0, -1, 30_000, W);
    l.isolation(0, 45_000, 'timeout');
    l.failSafe(50_000);
    expect(l.records[fs]?.fate).toBe('failSafe');
    l.sdc(60_000, 'command');
    l.finishAll();
    expect(l.records[corrected]?.fate).toBe('corrected');
    expect(l.records[fs]?.fate).toBe('sdc');
    expect(l.counts()).toMatchObject({ corrected: 1, sdc: 2 });
  });

  test('an observation after the window closed does not change the fate', () => {
    const l = new FaultLedger();
    const id = l.add('bus-delay', -1, -1, 0, W);
    l.tick(W);
    l.sdc(W + 1, 'envelope');
    expect(l.records[id]?.fate).toBe('masked');
    expect(l.unattributedSdc).toBe(1);
  });

  test('an isolation nobody targeted is a healthy isolation, blamed on the latest generic fault', () => {
    const l = new FaultLedger();
    const bus = l.add('babble', -1, -1, 0, W);
    l.isolation(1, 10_000, 'timeout');
    expect(l.healthyIsolations).toEqual([{ channel: 1, atMicros: 10_000, reason: 'timeout', blamedOn: bus }]);
    expect(l.records[bus]?.fate).toBe('isolated');
  });

  test('a channel that detects its own uncorrectable memory owns the isolation that follows', () => {
    const l = new FaultLedger();
    const id = l.add('mbu', 0, -1, 0, W);
    l.channelSelfFault(0, 4000);
    l.isolation(0, 8000, 'external');
    expect(l.records[id]?.fate).toBe('isolated');
    expect(l.records[id]?.detectedBy).toBe('self-check');
    expect(l.healthyIsolations).toEqual([]);
  });

  test('sensor exclusion isolates the sensor fault; fail-safe with nothing open is unattributed', () => {
    const l = new FaultLedger();
    const id = l.add('sensor', -1, 2, 0, W);
    expect(l.sensorExcluded(1, 1000, 'monitor:A')).toBe(false);
    expect(l.sensorExcluded(2, 2000, 'monitor:A')).toBe(true);
    l.tick(W);
    expect(l.records[id]?.fate).toBe('isolated');
    l.failSafe(W + 5);
    expect(l.unattributedFailSafe).toBe(1);
  });
});
