import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_STATUSES, E2eStateMachine, type CheckStatus, type E2eSmConfig } from '../../../../src/core/frame/e2e/index.js';
import { AssertionError } from '../../../../src/core/assert.js';
import { fcParams } from '../../../support/seed.js';

const BASE: E2eSmConfig = {
  windowSizeValid: 6, windowSizeInit: 4, windowSizeInvalid: 4,
  minOkStateInit: 2, maxErrorStateInit: 1,
  minOkStateValid: 2, maxErrorStateValid: 2,
  minOkStateInvalid: 3, maxErrorStateInvalid: 0,
  clearToInvalid: false, transitToInvalidExtended: false, timeoutMicros: null,
};

function run(config: E2eSmConfig, statuses: readonly CheckStatus[]): string[] {
  const sm = new E2eStateMachine(config);
  return statuses.map((status, cycle) => sm.update(status, cycle * 1000));
}

describe('E2eStateMachine (AUTOSAR E2E_SM)', () => {
  it('stays NODATA on NONEWDATA and ERROR, enters INIT on the first other status', () => {
    expect(run(BASE, ['NONEWDATA', 'ERROR', 'NONEWDATA', 'WRONGSEQUENCE'])).toEqual(['NODATA', 'NODATA', 'NODATA', 'INIT']);
  });

  it('INIT → VALID after minOkStateInit OK statuses in windowSizeInit', () => {
    expect(run(BASE, ['OK', 'OK', 'OK'])).toEqual(['INIT', 'INIT', 'VALID']);
  });

  it('INIT → INVALID when errors exceed maxErrorStateInit', () => {
    expect(run(BASE, ['OK', 'ERROR', 'ERROR'])).toEqual(['INIT', 'INIT', 'INVALID']);
  });

  it('VALID → INVALID when the window holds more than maxErrorStateValid errors', () => {
    expect(run(BASE, ['OK', 'OK', 'OK', 'ERROR', 'ERROR', 'ERROR'])).toEqual(['INIT', 'INIT', 'VALID', 'VALID', 'VALID', 'INVALID']);
  });

  it('VALID → INVALID when NONEWDATA lowers the OK count below minOkStateValid', () => {
    const states = run(BASE, ['OK', 'OK', 'OK', 'OK', 'NONEWDATA', 'NONEWDATA', 'NONEWDATA', 'NONEWDATA', 'NONEWDATA']);
    expect(states.slice(2)).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'INVALID']);
  });

  it('REPEATED and WRONGSEQUENCE count as neither OK nor ERROR', () => {
    const sm = new E2eStateMachine(BASE);
    for (const [cycle, status] of (['OK', 'OK', 'OK', 'REPEATED', 'WRONGSEQUENCE'] as const).entries()) sm.update(status, cycle);
    // The OK that left NODATA is cleared with the window on entering INIT (AUTOSAR), so 2 remain.
    expect([sm.state, sm.okCount, sm.errorCount]).toEqual(['VALID', 2, 0]);
  });

  it('INVALID → VALID only after minOkStateInvalid OKs with no error in windowSizeInvalid', () => {
    const states = run(BASE, ['OK', 'OK', 'OK', 'ERROR', 'ERROR', 'ERROR', 'OK', 'OK', 'ERROR', 'OK', 'OK', 'OK', 'OK']);
    expect(states.slice(5)).toEqual(['INVALID', 'INVALID', 'INVALID', 'INVALID', 'INVALID', 'INVALID', 'INVALID', 'VALID']);
  });

  it('clearToInvalid empties the window on entering INVALID', () => {
    const sm = new E2eStateMachine({ ...BASE, clearToInvalid: true });
    for (const [cycle, status] of (['OK', 'OK', 'OK', 'ERROR', 'ERROR', 'ERROR'] as const).entries()) sm.update(status, cycle);
    expect([sm.state, sm.okCount, sm.errorCount]).toEqual(['INVALID', 0, 0]);
  });

  it('transitToInvalidExtended: a full window of nothing in NODATA goes INVALID', () => {
    const states = run({ ...BASE, transitToInvalidExtended: true }, Array<CheckStatus>(6).fill('NONEWDATA'));
    expect(states).toEqual(['NODATA', 'NODATA', 'NODATA', 'NODATA', 'NODATA', 'INVALID']);
  });

  it('transitToInvalidExtended: INIT goes INVALID as soon as it cannot reach minOkStateInit', () => {
    expect(run({ ...BASE, transitToInvalidExtended: true }, ['WRONGSEQUENCE', 'REPEATED', 'NONEWDATA', 'NONEWDATA'])).toEqual(['INIT', 'INIT', 'INIT', 'INVALID']);
  });

  it('timeout: VALID → INVALID once no OK has arrived for longer than timeoutMicros', () => {
    const sm = new E2eStateMachine({ ...BASE, windowSizeValid: 20, maxErrorStateValid: 10, minOkStateValid: 1, timeoutMicros: 50_000 });
    sm.update('OK', 0);
    sm.update('OK', 10_000);
    expect(sm.update('OK', 20_000)).toBe('VALID');
    expect(sm.update('NONEWDATA', 70_000)).toBe('VALID');
    expect(sm.update('NONEWDATA', 70_001)).toBe('INVALID');
  });

  it('timeout does not apply in NODATA, and INIT starts its deadline at entry', () => {
    const sm = new E2eStateMachine({ ...BASE, timeoutMicros: 5_000 });
    expect(sm.update('NONEWDATA', 1_000_000)).toBe('NODATA');
    expect(sm.update('WRONGSEQUENCE', 2_000_000)).toBe('INIT');
    expect(sm.update('NONEWDATA', 2_005_000)).toBe('INIT');
    expect(sm.update('NONEWDATA', 2_005_001)).toBe('INVALID');
  });

  it('rejects time going backwards and inconsistent windows (programmer errors)', () => {
    const sm = new E2eStateMachine(BASE);
    sm.update('OK', 10);
    expect(() => sm.update('OK', 9)).toThrow(AssertionError);
    expect(() => new E2eStateMachine({ ...BASE, windowSizeInit: 7 })).toThrow(AssertionError);
    expect(() => new E2eStateMachine({ ...BASE, minOkStateValid: 3 })).toThrow(AssertionError);
    expect(() => new E2eStateMachine({ ...BASE, maxErrorStateValid: 5 })).toThrow(AssertionError);
    expect(() => new E2eStateMachine({ ...BASE, timeoutMicros: 0 })).toThrow(AssertionError);
  });

  it('reset returns to NODATA with an empty window', () => {
    const sm = new E2eStateMachine(BASE);
    for (let cycle = 0; cycle < 4; cycle++) sm.update('OK', cycle);
    sm.reset();
    expect([sm.state, sm.okCount, sm.errorCount]).toEqual(['NODATA', 0, 0]);
  });

  it('property: VALID always means enough OKs and few enough errors in the valid window', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...CHECK_STATUSES), { maxLength: 200 }), fc.boolean(), (statuses, clearToInvalid) => {
      const sm = new E2eStateMachine({ ...BASE, clearToInvalid });
      for (const [cycle, status] of statuses.entries()) {
        const state = sm.update(status, cycle);
        expect(sm.okCount + sm.errorCount).toBeLessThanOrEqual(BASE.windowSizeValid);
        if (state === 'VALID') {
          expect(sm.errorCount).toBeLessThanOrEqual(BASE.maxErrorStateValid);
          expect(sm.okCount).toBeGreaterThanOrEqual(BASE.minOkStateValid);
        }
      }
    }), fcParams('E2E SM invariants', 500));
  });
});
