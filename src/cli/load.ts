/**
 * The CLI's side of the loaders in src/io/loaders.ts: a file the user named that does not load
 * is a UsageError (one line, exit 2).
 */
import { UsageError } from './errors.js';
import type { FaultProfile } from '../core/fault/profile.js';
import type { Result } from '../core/result.js';
import { loadFlightRig, loadProfile, loadRigFile } from '../io/loaders.js';
import type { Rig } from '../sim/rig.js';

function orUsage<T>(result: Result<T, string>): T {
  if (!result.ok) throw new UsageError(result.error);
  return result.value;
}

/** `--faults NAME|FILE`. */
export function profileArg(spec: string): FaultProfile {
  return orUsage(loadProfile(spec));
}

/** `--rig FILE` of a command that flies (three channels or more); default the packaged emulated rig. */
export function flightRigArg(path: string | undefined): Rig {
  return orUsage(loadFlightRig(path));
}

/** `--rig FILE` of a command that only reads the rig (bus-load). */
export function rigArg(path: string | undefined): Rig {
  return orUsage(loadRigFile(path));
}
