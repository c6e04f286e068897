/**
 * A results file's header config, checked deeply enough that nothing reading the file can fail
 * on it later (`triplex report`, `triplex run --replay`): outside bytes, never trusted. Errors
 * are one line, without the `FILE:1:` prefix the callers add.
 */
import { canonicalJson, type ResultsFile } from '../io/results.js';
import { CAMPAIGN_INJECTIONS_MAX, locationCount, TARGETS, type FaultSpaceShape } from '../core/campaign/plan.js';
import { CHANNEL_NAMES } from '../core/fault/profile.js';
import { REGISTER_NAMES } from '../core/control/state.js';
import { err, ok, type Result } from '../core/result.js';
import { loadModel } from './models.js';
import { decodeCampaignConfig, decodeProfileValue, type CampaignConfig } from './runner.js';


/** Bounds of a stored fault space (generous: the rigs are far smaller). */
const SHAPE_WORDS_MAX = 1 << 24;
const SHAPE_CODE_BITS_MAX = 256;
const SHAPE_IDS_MAX = 4096;
const CAN_ID_MAX = 0x1fff_ffff;
/** Largest location count a PRNG draw takes (Prng.nextInt's bound). */
const LOCATIONS_MAX = 2 ** 53;

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** A non-empty array of distinct items, each accepted by `item`, at most `max` long. */
function isDistinctList(value: unknown, max: number, item: (v: unknown) => boolean): value is readonly unknown[] {
  return Array.isArray(value) && value.length >= 1 && value.length <= max && value.every(item) && new Set(value).size === value.length;
}

function checkSizing(value: unknown): string | undefined {
  const sizing = value as { mode?: unknown; injections?: unknown; margin?: unknown; confidence?: unknown } | null;
  if (typeof sizing !== 'object' || sizing === null) return 'config.sizing: expected {mode, …}';
  if (sizing.mode === 'fixed') return isIntIn(sizing.injections, 1, CAMPAIGN_INJECTIONS_MAX) ? undefined : `config.sizing.injections: expected 1..${CAMPAIGN_INJECTIONS_MAX}`;
  if (sizing.mode !== 'leveugle') return "config.sizing.mode: expected 'fixed' or 'leveugle'";
  const fraction = (v: unknown): boolean => typeof v === 'number' && v > 0 && v < 1;
  return fraction(sizing.margin) && fraction(sizing.confidence) ? undefined : 'config.sizing: margin and confidence must be between 0 and 1';
}

function checkShape(value: unknown): string | undefined {
  const shape = value as Partial<Record<keyof FaultSpaceShape, unknown>>;
  const names = (list: readonly string[]) => (v: unknown): boolean => typeof v === 'string' && list.includes(v);
  if (!isDistinctList(shape.channels, CHANNEL_NAMES.length, names(CHANNEL_NAMES))) return `config.shape.channels: expected distinct names of ${CHANNEL_NAMES.join(', ')}`;
  if (!isIntIn(shape.memoryWords, 1, SHAPE_WORDS_MAX) || !isIntIn(shape.memoryCodeBits, 1, SHAPE_CODE_BITS_MAX)) return 'config.shape: bad memoryWords or memoryCodeBits';
  if (!isDistinctList(shape.registerNames, REGISTER_NAMES.length, names(REGISTER_NAMES))) return 'config.shape.registerNames: expected distinct register names';
  if (!isIntIn(shape.registerBits, 1, 32)) return 'config.shape.registerBits: expected 1..32';
  if (!isDistinctList(shape.busIds, SHAPE_IDS_MAX, (v) => isIntIn(v, 0, CAN_ID_MAX))) return 'config.shape.busIds: expected distinct CAN identifiers';
  if (!isDistinctList(shape.sensors, SHAPE_IDS_MAX, (v) => isIntIn(v, 0, SHAPE_IDS_MAX))) return 'config.shape.sensors: expected distinct sensor numbers';
  return undefined;
}

/**
 * The header's config, checked deeply enough that the report cannot fail on it later: the
 * campaign fields (decodeCampaignConfig), the sizing, the profile, the fault space of every
 * target the campaign draws from, and every row index within the campaign.
 */
export function decodeResultsConfig(file: ResultsFile): Result<CampaignConfig, string> {
  const decoded = decodeCampaignConfig(file.header.config);
  if (!decoded.ok) return decoded;
  const config = decoded.value;
  const total = config.counts.reduce((a, c) => a + c.injections, 0);
  if (total > CAMPAIGN_INJECTIONS_MAX || config.counts.length > TARGETS.length) return err(`config.counts: at most ${TARGETS.length} targets and ${CAMPAIGN_INJECTIONS_MAX} injections`);
  const problem = checkSizing(config.sizing) ?? checkShape(config.shape);
  if (problem !== undefined) return err(problem);
  for (const c of config.counts) {
    const locations = locationCount(c.target, config.shape);
    if (c.injections > 0 && !(locations >= 1 && locations <= LOCATIONS_MAX)) return err(`config.shape: ${c.target} has ${locations} fault locations`);
  }
  const profile = decodeProfileValue(config.profile);
  if (!profile.ok) return err(`config.profile: ${profile.error}`);
  const outside = file.rows.find((r) => r.row >= total);
  if (outside !== undefined) return err(`config.counts plan ${total} rows, but the file holds row ${outside.row}`);
  return ok(config);
}

/** Replaying the worst flights needs the fault space of this Triplex's model, exactly. */
export async function checkReplayable(config: CampaignConfig): Promise<Result<undefined, string>> {
  const { shape } = await loadModel(config.model);
  if (canonicalJson(shape) !== canonicalJson(config.shape)) return err(`config.shape is not the fault space of this Triplex's ${config.model} model, so its flights cannot be replayed (--worst 0 reports without them)`);
  return ok(undefined);
}
