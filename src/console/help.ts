/** Help texts of the console: `help` lists the commands, `help COMMAND` explains one. */
import { REGISTER_NAMES } from '../core/control/state.js';
import { INJECT_KINDS, injectSyntax } from './inject.js';
import { COMMAND_WORDS, USAGE } from './parse.js';

const SUMMARY: Readonly<Record<string, string>> = {
  status: 'per channel: link, state, corrected and uncorrectable counts, last fault',
  flip: 'flip one bit in a channel\'s memory or register, or corrupt a bus frame',
  upset: 'start (or stop) a random single-event-upset process on a channel',
  kill: 'stop a channel (a board: end its process or stop talking to it)',
  hang: 'freeze a channel: it stops answering but keeps its state',
  revive: 'bring a killed or hung channel back; it reintegrates when it agrees again',
  sensor: 'make sensor N stuck, biased, or healthy again',
  clock: 'drift a channel\'s clock (ppm) or make it jump (ms)',
  inject: 'inject any fault of the fault-profile schema now (help inject lists the kinds)',
  scrub: 'run a full scrub pass on a channel now',
  peek: 'read bytes of a channel\'s memory image',
  poke: 'write bytes into a channel\'s memory image (through the ECC encoder)',
  pause: 'stop the flight loop (faults can still be injected)',
  resume: 'run the flight loop again',
  step: 'advance a paused rig by N control cycles (default 1)',
  log: 'record every command and reply to a file, or stop recording',
  expect: 'check a channel\'s counters or state; fails the script when false',
  help: 'list commands, or explain one',
  quit: 'leave the console (a rig it started stops; an attached rig keeps flying)',
};

/** Every kind the console injects with its fields, from the schema's kind list (./inject.ts). */
function injectDetail(): string {
  const width = Math.max(...INJECT_KINDS.map((k) => k.length));
  return [
    '  Fields are the profile\'s JSON names and mean what they mean there (docs/FAULTS.md): an absent',
    '  word, bit, copy, register or value to hit is drawn (seeded, printed back); no durationS lasts',
    '  to the end; no id hits the next frame. Numbers are decimal or 0x hex; times in s, delayMs in ms.',
    '  e.g. inject compute-flip channel=A value=ACT_OUT_0 bit=30 stage=3',
    '       inject actuator actuator=2 mode=jam durationS=0.5',
    ...INJECT_KINDS.map((k) => `  ${k.padEnd(width)}  ${injectSyntax(k)}`),
    '  two-faced, masquerade and replay (Byzantine) are profile events before flight start only.',
    '  Emulated channels only: a fault on a board\'s channel is refused.',
  ].join('\n');
}

const DETAIL: Readonly<Record<string, string>> = {
  inject: injectDetail(),
  flip: [
    '  CH is A, B or C. ADDR is a byte address (decimal or 0x hex), BIT 0..7 for memory.',
    `  Registers (BIT 0..31): ${REGISTER_NAMES.join(' ')}`,
    '  A memory flip is corrected by the scrubber (SEC-DED); a register flip is outvoted by',
    '  the register image\'s triple copies. On a board the flip travels over the wire (FLIP).',
    '  flip bus corrupts the next frame on the bus, or the next with that CAN ID.',
  ].join('\n'),
  upset: '  RATE is upsets per second of simulated time (Poisson); off stops the process.',
  sensor: '  N counts from 1. bias VALUE adds VALUE (sensor units) to every reading.',
  clock: '  drift PPM runs the channel clock fast (+) or slow (-); jump MS steps it once.',
  peek: '  LEN 1..256 bytes, default 16. Printed as hex, 16 bytes a row.',
  poke: '  BYTES as hex digits, e.g. poke A 0x40 DEADBEEF (at most 64 bytes).',
  step: '  In a script the rig starts paused, so only step moves it: scripts are deterministic.',
  log: '  log start FILE appends time-stamped lines to FILE (on the rig host for a remote console).',
  expect: [
    '  expect A corrected >= 1      expect B uncorrectable == 0      expect C state == isolated',
    '  OP is one of == != < <= > >=. A false expect is a failed command: a script exits 1.',
  ].join('\n'),
};

export function helpText(topic: string | undefined): string {
  if (topic === undefined) {
    const rows = COMMAND_WORDS.map((c) => `  ${(USAGE[c] ?? c).padEnd(44)} ${SUMMARY[c] ?? ''}`);
    return ['commands (channels are A, B, C; numbers are decimal or 0x hex):', ...rows, "type 'help COMMAND' for details"].join('\n');
  }
  const lines = [`usage: ${(USAGE[topic] ?? topic).replaceAll(' | ', '\n       ')}`, `  ${SUMMARY[topic] ?? ''}`];
  const detail = DETAIL[topic];
  if (detail !== undefined) lines.push(detail);
  return lines.join('\n');
}
