/** A recording RigControl for console tests: every action is kept; status is settable. */
import { err, ok, type Result } from '../../src/core/result.js';
import type { ChannelStatus, RigAction, RigControl, RigStatus } from '../../src/console/rig-control.js';

export class FakeRig implements RigControl {
  readonly actions: RigAction[] = [];
  cycle = 0;
  paused = true;
  failNext: string | undefined;
  channels: ChannelStatus[] = (['A', 'B', 'C'] as const).map((channel) => ({ channel, link: 'emulated', state: 'active', corrected: 0, uncorrectable: 0, lastFault: undefined }));

  status(): RigStatus {
    return { rig: 'fake', cycle: this.cycle, timeMicros: this.cycle * 4000, paused: this.paused, channels: this.channels };
  }

  apply(action: RigAction): Promise<Result<string, string>> {
    this.actions.push(action);
    if (this.failNext !== undefined) {
      const why = this.failNext;
      this.failNext = undefined;
      return Promise.resolve(err(why));
    }
    if (action.kind === 'step') this.cycle += action.cycles;
    if (action.kind === 'flip-mem') this.channels = this.channels.map((c) => (c.channel === action.channel ? { ...c, corrected: c.corrected + 1, lastFault: 'memory flip' } : c));
    return Promise.resolve(ok(`did ${action.kind}`));
  }
}
