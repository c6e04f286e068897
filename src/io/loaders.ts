/**
 * Loaders for the files a flight is described by: rig descriptions (hil/rigs/*.json, decoded
 * by src/sim/rig.ts) and fault profiles (hil/scenarios/*.json or a path, decoded by
 * src/core/fault/profile.ts). Each returns a Result whose error is one line naming the file and
 * the problem; the CLI turns it into exit 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFaultProfile, type FaultProfile } from '../core/fault/profile.js';
import { err, ok, type Result } from '../core/result.js';
import { decodeRig, formatRigError, type Rig } from '../sim/rig.js';

/** The package root (dist/io/ → ../../). */
const ROOT = new URL('../../', import.meta.url);
/** A built-in profile or rig name: lower-case letters, digits and '-'. */
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const BUILTIN_PROFILES = ['default', 'none', 'byzantine'] as const;

/** A file shipped with Triplex (hil/…), as a path. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(relative, ROOT));
}

/** The packaged emulated rig, the default of every command. */
export const DEFAULT_RIG_PATH = 'hil/rigs/emulated.json';

function readText(path: string, what: string): Result<string, string> {
  try {
    return ok(readFileSync(path, 'utf8'));
  } catch (error: unknown) {
    const code = (error as { code?: string }).code ?? 'error';
    return err(`cannot read ${what} ${path}: ${code}`);
  }
}

/** A fault profile by built-in name (hil/scenarios/NAME.json) or path. */
export function loadProfile(spec: string): Result<FaultProfile, string> {
  const builtin = packagePath(`hil/scenarios/${spec}.json`);
  const path = NAME.test(spec) && existsSync(builtin) ? builtin : spec;
  if (path === spec && NAME.test(spec) && !existsSync(spec)) return err(`unknown fault profile '${spec}' (built-in: ${BUILTIN_PROFILES.join(', ')}; or a file path)`);
  const text = readText(path, 'fault profile');
  if (!text.ok) return text;
  const parsed = parseFaultProfile(text.value);
  return parsed.ok ? parsed : err(`${spec}: ${parsed.error.path}: ${parsed.error.message}`);
}

/** A rig description (default: the packaged emulated rig). */
export function loadRigFile(path: string | undefined): Result<Rig, string> {
  const file = path ?? packagePath(DEFAULT_RIG_PATH);
  const text = readText(file, 'rig');
  if (!text.ok) return text;
  const decoded = decodeRig(text.value);
  return decoded.ok ? decoded : err(`${file}: ${formatRigError(decoded.error)}`);
}

/** A rig that can fly: decoded, with at least three channels. */
export function loadFlightRig(path: string | undefined): Result<Rig, string> {
  const rig = loadRigFile(path);
  if (!rig.ok) return rig;
  const file = path ?? packagePath(DEFAULT_RIG_PATH);
  if (rig.value.channels.length < 3) return err(`${file}: the flight needs 3 channels, the rig has ${rig.value.channels.length}`);
  return rig;
}
