import { test } from 'vitest';
import { Loop } from './loop-support.js';
import { stepSchedule } from '../../../src/core/control/setpoint.js';
import { aerosondeVehicle, NO_GUST, DEFAULT_ACTUATOR } from '../../../src/core/plant/vehicle.js';
import { defaultGains } from '../../../src/core/control/gains.js';

test('aw', () => {
  for (const lim of [4, 6, 8]) {
    const vehicle = aerosondeVehicle({ gust: NO_GUST, actuator: { ...DEFAULT_ACTUATOR, positionLimitDeg: [25, 25, lim, 25] } });
    for (const [kaw, imax] of [[0, 1000], [8, 1000], [8, 15], [0, 15], [20, 1000]]) {
      const gains = { ...defaultGains(vehicle), antiWindupGain: kaw!, integratorMax: [imax!, imax!, imax!] as const };
      const st = new Loop({ seed: 3, rateHz: 250, schedule: stepSchedule(0.5, 0, 15, 0), vehicle, gains });
      st.run(0.5);
      let overshoot = 0; let settle = 0;
      for (let i = 0; i < 6 * 250; i++) { st.cycle(); const pitch = Math.asin(2 * (st.plant.state[0]! * st.plant.state[2]! - st.plant.state[3]! * st.plant.state[1]!)) * 180 / Math.PI; overshoot = Math.max(overshoot, pitch - 15); if (Math.abs(pitch - 15) > 0.75) settle = (i + 1) / 250; }
      console.log('lim', lim, 'kaw', kaw, 'imax', imax, 'overshootDeg', overshoot.toFixed(2), 'settle', settle);
    }
  }
});
