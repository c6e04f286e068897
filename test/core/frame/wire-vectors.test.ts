/** The example frames printed in docs/WIRE.md ("Test vectors"): firmware must produce the same bytes. */
import { describe, expect, it } from 'vitest';
import { createActuatorCommand, encodeCommand } from '../../../src/core/frame/command-frame.js';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, protect } from '../../../src/core/frame/e2e/index.js';
import { canIdOf, dataIdListOf, MEDIUM_LAYOUT, type Medium } from '../../../src/core/frame/ids.js';
import { encodeImuRate } from '../../../src/core/frame/sensor-frame.js';
import { encodeChannelStatus } from '../../../src/core/frame/status-frame.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');

const GOLDEN: Record<Medium, readonly [string, string, string, string]> = {
  can: ['38 00 00 64 ff 38 01 2c', '65 01 00 64 ff 38 01 2c', 'c1 10 06 4f 9c 00 07 ff', '31 00 00 03 00 0c ff fb'],
  'can-fd': [
    '00 14 00 00 54 58 01 21 8b 26 8a 31 00 00 64 ff 38 01 2c 00',
    '00 14 00 01 54 58 01 21 26 d6 8d 60 00 00 64 ff 38 01 2c 00',
    '00 14 00 00 54 58 01 01 df ee a5 55 10 06 4f 9c 00 07 ff 00',
    '00 14 00 00 54 58 02 02 24 35 4c be 00 00 03 00 0c ff fb 00',
  ],
  serial: ['7c 69 00 00 00 64 ff 38 01 2c', '39 06 01 00 00 64 ff 38 01 2c', '10 1d 00 10 06 4f 9c 00 07 ff', 'b0 ac 00 00 00 03 00 0c ff fb'],
};

describe('docs/WIRE.md test vectors', () => {
  it('DataIDLists of the command frames', () => {
    expect(hex(dataIdListOf(canIdOf('command', 'A')))).toBe('71 5e 2f 00 cd e2 93 bc 26 09 78 57 9a b5 c4 eb');
    expect(hex(dataIdListOf(canIdOf('command', 'B')))).toBe('65 4a 3b 14 d9 f6 87 a8 32 1d 6c 43 8e a1 d0 ff');
    expect(hex(dataIdListOf(canIdOf('command', 'C')))).toBe('8c a3 d2 fd 30 1f 6e 41 db f4 85 aa 67 48 39 16');
    expect(hex(dataIdListOf(canIdOf('command', 'D')))).toBe('4d 62 13 3c f1 de af 80 1a 35 44 6b a6 89 f8 d7');
  });

  it.each(['can', 'can-fd', 'serial'] as const)('%s frames', (medium) => {
    const layout = MEDIUM_LAYOUT[medium];
    const [rate0, rate1, command0, status0] = GOLDEN[medium];
    const rateConfig = e2eConfigOf('imu-rate', 1, medium);
    const sender = createProtectState();
    const receiver = createCheckStateFor(rateConfig);
    const rate = new Uint8Array(layout.frameBytes);
    encodeImuRate({ sensorStatus: 0, rateXMradPerS: 100, rateYMradPerS: -200, rateZMradPerS: 300 }, rate, layout.bodyOffsetBytes);
    protect(rateConfig, sender, rate);
    expect(hex(rate)).toBe(rate0);
    expect(check(rateConfig, receiver, rate)).toBe('OK');
    protect(rateConfig, sender, rate);
    expect(hex(rate)).toBe(rate1);
    expect(check(rateConfig, receiver, rate)).toBe('OK');

    const command = createActuatorCommand();
    command.engaged = true;
    command.deflectionMrad.set([100, -100, 0, 2047]);
    const commandFrame = new Uint8Array(layout.frameBytes);
    encodeCommand(command, commandFrame, layout.bodyOffsetBytes);
    protect(e2eConfigOf('command', 'A', medium), createProtectState(), commandFrame);
    expect(hex(commandFrame)).toBe(command0);

    const statusFrame = new Uint8Array(layout.frameBytes);
    encodeChannelStatus({ health: 'healthy', scrubCorrectedCount: 3, scrubUncorrectableCount: 0, scrubPassCount: 12, clockOffsetMicros: -5 }, statusFrame, layout.bodyOffsetBytes);
    protect(e2eConfigOf('channel-status', 'B', medium), createProtectState(), statusFrame);
    expect(hex(statusFrame)).toBe(status0);
  });
});
