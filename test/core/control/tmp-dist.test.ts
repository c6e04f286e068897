import { test } from 'vitest';
import { Loop } from './loop-support.js';
import { STANDARD_MANOEUVRES } from '../../../src/core/control/setpoint.js';
test('dist', () => {
  const hold: number[] = []; const std: number[] = [];
  for (let seed = 100; seed < 200; seed++) {
    const a = new Loop({ seed }); a.run(60); hold.push(a.maxErrorDeg);
    const b = new Loop({ seed, schedule: STANDARD_MANOEUVRES }); b.run(60); std.push(b.maxErrorDeg);
  }
  hold.sort((x, y) => x - y); std.sort((x, y) => x - y);
  console.log('hold median', hold[50], 'max', hold[99], 'std median', std[50], 'max', std[99]);
});
