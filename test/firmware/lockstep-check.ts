/**
 * What the firmware tests share whatever carries the board's lines (the host build's pty in
 * board.test.ts, QEMU's in qemu-board.test.ts): the six sensor frames of a cycle as 'F' line
 * bodies, and lockstep cycles checked against the TypeScript reference channel.
 */
import { expect } from 'vitest';
import { check, createCheckStateFor, e2eConfigOf, protect } from '../../src/core/frame/e2e/index.js';
import { decodeCommand } from '../../src/core/frame/command-frame.js';
import { decodeChannelStatus } from '../../src/core/frame/status-frame.js';
import { encodeImuAccel, encodeImuRate } from '../../src/core/frame/sensor-frame.js';
import { canIdOf, MEDIUM_LAYOUT, type ImuNumber } from '../../src/core/frame/ids.js';
import type { SerialMessage } from '../../src/core/frame/serial-line.js';
import type { RigResult } from '../../src/core/frame/rig-command.js';
import type { ChannelId } from '../../src/core/frame/ids.js';
import { ReferenceChannel, type ImuCodes } from './reference.js';

/** The 'F' body of a classic CAN frame: flags 0, id u32, length, data (docs/SERIAL.md). */
export function frameBody(id: number, data: Uint8Array): Uint8Array {
  return Uint8Array.from([0, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff, data.length, ...data]);
}

/** The cycle's six IMU frames (rate and accel of IMUs 1..3), E2E-protected with `states`, as 'F' bodies. */
export function sensorFrameBodies(imus: readonly ImuCodes[], states: { counter: number }[]): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  imus.forEach((imu, i) => {
    const number = (i + 1) as ImuNumber;
    for (const kind of ['imu-rate', 'imu-accel'] as const) {
      const frame = new Uint8Array(MEDIUM_LAYOUT.can.frameBytes);
      if (kind === 'imu-rate') encodeImuRate({ sensorStatus: imu.rateStatus ?? 0, rateXMradPerS: imu.rate[0], rateYMradPerS: imu.rate[1], rateZMradPerS: imu.rate[2] }, frame, 1);
      else encodeImuAccel({ sensorStatus: imu.accelStatus ?? 0, accelXCmPerS2: imu.accel[0], accelYCmPerS2: imu.accel[1], accelZCmPerS2: imu.accel[2] }, frame, 1);
      const state = states[2 * i + (kind === 'imu-accel' ? 1 : 0)] ?? { counter: 0 };
      protect(e2eConfigOf(kind, number, 'can'), state, frame);
      bodies.push(frameBody(canIdOf(kind, number), frame));
    }
  });
  return bodies;
}

export interface LockstepBoard {
  readonly messages: SerialMessage[];
  request(r: { readonly op: 'tick' }): Promise<{ status: string; result: RigResult }>;
}

export interface LockstepPlan {
  readonly channel: ChannelId;
  readonly cycles: number;
  /** Cycle in which IMU 3's z rate spikes (the mid-value select must drop it). */
  readonly spikeCycle: number;
  /** Cycle in which IMU 2 reports a bad rate status. */
  readonly badStatusCycle: number;
  /** Sends the cycle's sensor frames (`sensorFrameBodies`) over the board's link. */
  readonly send: (bodies: readonly Uint8Array[]) => void;
}

/**
 * Runs `plan.cycles` lockstep cycles (sensor frames, then TICK) and checks each against the
 * reference channel: the command frame passes its E2E check and carries the reference's
 * deflections, the TICK answer reports them with the law's status and used-sensor mask, and the
 * status frame decodes.
 */
export async function expectLockstepMatchesReference(board: LockstepBoard, plan: LockstepPlan): Promise<void> {
  const reference = new ReferenceChannel(4000);
  const states = Array.from({ length: 6 }, () => ({ counter: 0 }));
  const commandConfig = e2eConfigOf('command', plan.channel, 'can');
  const commandState = createCheckStateFor(commandConfig);
  const commandId = canIdOf('command', plan.channel);
  const statusId = canIdOf('channel-status', plan.channel);
  for (let cycle = 0; cycle < plan.cycles; cycle++) {
    const imus: ImuCodes[] = [0, 1, 2].map((i) => ({
      rate: [120 + 10 * cycle + i, -80 + 3 * i, i === 2 && cycle === plan.spikeCycle ? 20000 : 40 - cycle],
      accel: [12 + i, -20, -981 + cycle],
      ...(i === 1 && cycle === plan.badStatusCycle ? { rateStatus: 1 } : {}),
    }));
    board.messages.length = 0;
    plan.send(sensorFrameBodies(imus, states));
    const tick = await board.request({ op: 'tick' });
    const expected = reference.cycle(imus);
    const frames = board.messages.flatMap((m) => (m.kind === 'frame' ? [m.frame] : []));
    const command = frames.find((f) => f.id === commandId);
    const status = frames.find((f) => f.id === statusId);
    expect(command, `command frame 0x${commandId.toString(16)} from the board`).toBeDefined();
    expect(status, `status frame 0x${statusId.toString(16)} from the board`).toBeDefined();
    expect(check(commandConfig, commandState, command?.data ?? new Uint8Array())).toBe('OK');
    const decoded = decodeCommand(command?.data ?? new Uint8Array(), 1, 7);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok || tick.result.op !== 'tick') throw new Error('bad command frame or not a tick answer');
    expect(Array.from(decoded.value.deflectionMrad)).toEqual(expected.deflectionMrad);
    expect(tick.result.tick.deflectionMrad).toEqual(expected.deflectionMrad);
    expect(tick.result.tick).toMatchObject({ cycle, lawStatus: expected.status, usedMask: expected.mask, streamStatus: [0, 0, 0, 0, 0, 0] });
    expect(decodeChannelStatus(status?.data ?? new Uint8Array(), 1, 7).ok).toBe(true);
  }
}
