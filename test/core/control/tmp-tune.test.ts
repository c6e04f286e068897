import { test } from 'vitest';
import { Loop } from './loop-support.js';
import { STANDARD_MANOEUVRES, stepSchedule } from '../../../src/core/control/setpoint.js';
import { STATE_ACTUATOR } from '../../../src/core/plant/plant.js';
import { aerosondeVehicle, NO_GUST } from '../../../src/core/plant/vehicle.js';
import { defaultGains, type ControlGains } from '../../../src/core/control/gains.js';

const gustEnv = process.env.GUST ? JSON.parse(process.env.GUST) as [number, number, number] : [3, 2, 1.5];
const over = process.env.GAINS ? JSON.parse(process.env.GAINS) as Partial<ControlGains> : {};
test('tune', () => {
  const vehicle = aerosondeVehicle({ gust: { sigmaNm: gustEnv, correlationTimeS: 0.5 } });
  const calm = aerosondeVehicle({ gust: NO_GUST });
  const gains = { ...defaultGains(vehicle), ...over };
  for (const rateHz of [250, 1000]) {
    let worst = 0;
    for (let seed = 1; seed <= 5; seed++) { const hold = new Loop({ seed, rateHz, vehicle, gains }); hold.run(60); worst = Math.max(worst, hold.maxErrorDeg); }
    console.log(rateHz, 'hold worst maxErr over 5 seeds', worst.toFixed(3));
    const std = new Loop({ seed: 2, rateHz, schedule: STANDARD_MANOEUVRES, vehicle, gains });
    std.run(120);
    const stdCalm = new Loop({ seed: 2, rateHz, schedule: STANDARD_MANOEUVRES, vehicle: calm, gains });
    stdCalm.run(120);
    console.log(rateHz, 'std maxErr', std.maxErrorDeg.toFixed(3), 'calm', stdCalm.maxErrorDeg.toFixed(3), 'maxRate', std.maxRateRadPerS.toFixed(3));
    for (const [r, p, y] of [[20, 0, 0], [0, 10, 0], [0, 0, 10]]) {
      const st = new Loop({ seed: 3, rateHz, schedule: stepSchedule(1, r!, p!, y!), vehicle: calm, gains });
      st.run(1);
      let settle = 0; let peak = 0; let over = 0; const mag = Math.hypot(r!, p!, y!);
      for (let i = 0; i < 5 * rateHz; i++) {
        st.cycle();
        const e = st.errorDeg();
        if (e > 0.05 * mag) settle = (i + 1) / rateHz;
        if (i > 0.3 * rateHz) over = Math.max(over, e);
        const act = Math.max(...[0,1,2,3].map((k) => Math.abs(st.plant.state[STATE_ACTUATOR + k]!)));
        peak = Math.max(peak, act);
      }
      console.log(rateHz, 'step', r, p, y, 'settle5%', settle, 'final', st.errorDeg().toFixed(3), 'peakAct', peak.toFixed(1));
    }
  }
});
