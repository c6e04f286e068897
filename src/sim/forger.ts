/**
 * A forged sender on CAN (`can-masquerade`, docs/FAULTS.md): a faulty channel sends command
 * frames under a victim channel's identifier. CAN carries no sender identity and the E2E
 * protection is no authentication: the forger hears the victim's frames, so it knows the victim's
 * E2E counter, and right after each of the victim's commands it sends one of its own with the
 * victim's ID, the victim's data ID, the next counter and the command offset by `offsetDeg` on
 * every actuator. Receivers accept the forgery (fresh counter, good CRC) and then drop the
 * victim's next real frame as REPEATED: the victim is impersonated, not merely contradicted.
 *
 * What catches it: nothing on the frame. The vote sees a wrong command "from" the victim, masks
 * it (the other two agree) and may isolate the victim — a healthy channel lost to another's
 * fault. Authenticated frames (docs/BYZANTINE.md, signed exchange over p2p links) are the remedy.
 */
import type { EmulatedCanNode } from './emulated-can.js';
import { layoutOf, mediumFrame, type CanMedium } from '../core/channel/medium.js';
import { createActuatorCommand, decodeCommandInto, encodeCommand } from '../core/frame/command-frame.js';
import { check, createCheckStateFor, createProtectState, e2eConfigOf, protect, type CheckState, type E2eConfig, type ProtectState } from '../core/frame/e2e/index.js';
import type { CanFrame } from '../core/frame/can.js';
import { canIdOf, FRAME_BODY_BYTES, type ChannelId } from '../core/frame/ids.js';
import { commandCodeOf, commandDegOfCode } from '../core/frame/scaling.js';

export class CommandForger {
  /** Forged frames sent. */
  forged = 0;
  private readonly victimId: number;
  private readonly cfg: E2eConfig;
  private readonly heard: CheckState;
  private readonly protectState: ProtectState = createProtectState();
  private readonly scratch: Uint8Array;
  private readonly frame: CanFrame;
  private readonly body: number;
  private readonly command = createActuatorCommand();

  constructor(private readonly node: EmulatedCanNode, victim: ChannelId, private readonly offsetDeg: number, medium: CanMedium, private readonly untilMicros: number) {
    this.victimId = canIdOf('command', victim);
    this.cfg = e2eConfigOf('command', victim, medium);
    this.heard = createCheckStateFor(this.cfg);
    this.body = layoutOf(medium).bodyOffsetBytes;
    this.scratch = new Uint8Array(layoutOf(medium).frameBytes);
    this.frame = mediumFrame(medium, this.victimId, new Uint8Array(layoutOf(medium).frameBytes));
  }

  /** Still forging at `nowMicros`. */
  active(nowMicros: number): boolean {
    return nowMicros < this.untilMicros;
  }

  /** The victim just sent `data` under its command ID: forge the next one. */
  victimSent(data: Uint8Array): void {
    if (check(this.cfg, this.heard, data) !== 'OK') return;
    if (decodeCommandInto(data, this.body, FRAME_BODY_BYTES, this.command) !== null) return;
    for (let i = 0; i < this.command.deflectionMrad.length; i++) {
      this.command.deflectionMrad[i] = commandCodeOf(commandDegOfCode(this.command.deflectionMrad[i] ?? 0) + this.offsetDeg);
    }
    // The victim's counter as heard, then one more: protect() writes the counter it holds and advances it.
    this.protectState.counter = this.heard.counter;
    protect(this.cfg, this.protectState, this.scratch);
    const out = this.frame.data;
    out.fill(0);
    encodeCommand(this.command, out, this.body);
    protect(this.cfg, this.protectState, out);
    if (this.node.send(this.frame).ok) this.forged++;
  }

  get id(): number {
    return this.victimId;
  }
}
