import { describe, expect, it } from 'vitest';
import { completeLine } from '../../src/console/complete.js';
import { editDistance, suggest } from '../../src/console/edit-distance.js';
import { helpText } from '../../src/console/help.js';
import { COMMAND_WORDS, formatParseError, parseCommand } from '../../src/console/parse.js';

function parsed(line: string): unknown {
  const r = parseCommand(line);
  if (!r.ok) throw new Error(formatParseError(r.error));
  return r.value;
}

function error(line: string): string {
  const r = parseCommand(line);
  if (r.ok) throw new Error(`'${line}' parsed`);
  return formatParseError(r.error);
}

describe('console command parser', () => {
  it('parses every command of the issue', () => {
    expect(parsed('status')).toEqual({ kind: 'status' });
    expect(parsed('flip A mem 0x40 3')).toEqual({ kind: 'flip-mem', channel: 'A', address: 0x40, bit: 3 });
    expect(parsed('flip b reg rate_err_y 30')).toEqual({ kind: 'flip-reg', channel: 'B', register: 'RATE_ERR_Y', bit: 30 });
    expect(parsed('flip bus')).toEqual({ kind: 'flip-bus', id: undefined });
    expect(parsed('flip bus 0x101')).toEqual({ kind: 'flip-bus', id: 0x101 });
    expect(parsed('upset C 2.5')).toEqual({ kind: 'upset', channel: 'C', rateHz: 2.5 });
    expect(parsed('upset C off')).toEqual({ kind: 'upset', channel: 'C', rateHz: 0 });
    expect(parsed('kill A')).toEqual({ kind: 'kill', channel: 'A' });
    expect(parsed('hang B')).toEqual({ kind: 'hang', channel: 'B' });
    expect(parsed('revive C')).toEqual({ kind: 'revive', channel: 'C' });
    expect(parsed('sensor 2 stuck')).toEqual({ kind: 'sensor', sensor: 2, fault: { kind: 'stuck' } });
    expect(parsed('sensor 1 bias -0.05')).toEqual({ kind: 'sensor', sensor: 1, fault: { kind: 'bias', value: -0.05 } });
    expect(parsed('sensor 3 ok')).toEqual({ kind: 'sensor', sensor: 3, fault: { kind: 'ok' } });
    expect(parsed('clock A drift -200')).toEqual({ kind: 'clock-drift', channel: 'A', driftPpm: -200 });
    expect(parsed('clock B jump 1.5')).toEqual({ kind: 'clock-jump', channel: 'B', jumpMillis: 1.5 });
    expect(parsed('scrub A')).toEqual({ kind: 'scrub', channel: 'A' });
    expect(parsed('peek A 0x10')).toEqual({ kind: 'peek', channel: 'A', address: 16, lengthBytes: 16 });
    expect(parsed('peek A 16 4')).toEqual({ kind: 'peek', channel: 'A', address: 16, lengthBytes: 4 });
    expect(parsed('poke A 0x10 DEADbeef')).toEqual({ kind: 'poke', channel: 'A', address: 16, bytes: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) });
    expect(parsed('pause')).toEqual({ kind: 'pause' });
    expect(parsed('resume')).toEqual({ kind: 'resume' });
    expect(parsed('step')).toEqual({ kind: 'step', cycles: 1 });
    expect(parsed('step 250')).toEqual({ kind: 'step', cycles: 250 });
    expect(parsed('log start /tmp/x.log')).toEqual({ kind: 'log-start', path: '/tmp/x.log' });
    expect(parsed('log stop')).toEqual({ kind: 'log-stop' });
    expect(parsed('quit')).toEqual({ kind: 'quit' });
    expect(parsed('help flip')).toEqual({ kind: 'help', topic: 'flip' });
    expect(parsed('expect A corrected >= 1')).toEqual({ kind: 'expect-count', channel: 'A', field: 'corrected', op: '>=', value: 1 });
    expect(parsed('expect C state == isolated')).toEqual({ kind: 'expect-state', channel: 'C', op: '==', state: 'isolated' });
    expect(parsed('  STATUS   # trailing comment')).toEqual({ kind: 'status' });
  });

  it('suggests the intended word for typos', () => {
    expect(error('stauts')).toBe("unknown command 'stauts' (did you mean 'status'?)");
    expect(error('flp A mem 1 1')).toBe("unknown command 'flp' (did you mean 'flip'?)");
    expect(error('flip A mme 1 1')).toBe("flip: mem|reg must be mem or reg, got 'mme' (did you mean 'mem'?)");
    expect(error('flip A reg RATE_ERR_YY 3')).toContain("(did you mean 'RATE_ERR_Y'?)");
    expect(error('sensor 1 stcuk')).toContain("did you mean 'stuck'?");
    expect(error('xyzzy')).toBe("unknown command 'xyzzy' (try: help)");
  });

  it('names the missing, extra or bad argument in one line', () => {
    expect(error('flip A mem 0x10')).toBe('flip: missing BIT (usage: flip CH mem ADDR BIT | flip CH reg NAME BIT | flip bus [ID])');
    expect(error('kill A B')).toBe("kill: unexpected 'B' (usage: kill CH)");
    expect(error('kill D')).toBe("kill: CH must be a channel A, B or C, got 'D'");
    expect(error('flip A mem 1 8')).toBe("flip: BIT must be an integer 0..7, got '8'");
    expect(error('peek A 0 257')).toBe("peek: LEN must be an integer 1..256, got '257'");
    expect(error('poke A 0 ABC')).toContain('BYTES must be');
    expect(error('expect A state >= active')).toContain('== or != for a state');
    expect(error('step 0')).toBe("step: N must be an integer 1..1000000, got '0'");
    expect(error('upset A -1')).toContain('RATE must be');
    expect(error('x'.repeat(2000))).toBe('line of 2000 characters exceeds 1024');
    for (const message of [error('kill\u0007'), error('"\n"')]) expect(message.includes('\n') || message.includes('\u0007')).toBe(false);
  });

  it('computes edit distance with transpositions', () => {
    expect(editDistance('status', 'status')).toBe(0);
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggest('qiut', COMMAND_WORDS)).toBe('quit');
    expect(suggest('res', COMMAND_WORDS)).toBe('resume');
    expect(suggest('zzzzzz', COMMAND_WORDS)).toBeUndefined();
  });

  it('completes commands, channels and keywords', () => {
    expect(completeLine('st')).toEqual([['status', 'step'], 'st']);
    expect(completeLine('sta')).toEqual([['status '], 'sta']);
    expect(completeLine('flip ')[0]).toEqual(['A', 'B', 'C', 'bus']);
    expect(completeLine('flip A r')).toEqual([['reg '], 'r']);
    expect(completeLine('flip A reg TORQUE_DEM_')[0]).toEqual(['TORQUE_DEM_X', 'TORQUE_DEM_Y', 'TORQUE_DEM_Z']);
    expect(completeLine('expect A state == ')[0]).toEqual(['active', 'isolated', 'failed']);
    expect(completeLine('help f')[0]).toEqual(['flip ']);
    expect(completeLine('status extra more ')[0]).toEqual([]);
  });

  it('has help for every command', () => {
    const all = helpText(undefined);
    for (const word of COMMAND_WORDS) {
      expect(all).toContain(word);
      expect(helpText(word)).toMatch(/^usage: /);
    }
    expect(helpText('flip')).toContain('RATE_ERR_Y');
  });
});
