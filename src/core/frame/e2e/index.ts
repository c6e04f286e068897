/**
 * End-to-end protection, modelled on the AUTOSAR E2E profiles: one entry point over Profiles
 * 11, 22, 4 and 5, and the configuration of every Triplex frame (docs/WIRE.md).
 *
 * Sender:   const state = createProtectState(); protect(config, state, frameBytes)
 * Receiver: const state = createCheckStateFor(config); const status = check(config, state, bytesOrNull)
 *           then sm.update(status, nowMicros) on an E2eStateMachine per received stream.
 */
import { assertNever } from '../../assert.js';
import { canIdOf, dataId16Of, dataId32Of, dataIdListOf, MAX_DELTA_COUNTER, MEDIUM_LAYOUT, profileOf, type ChannelId, type FrameKind, type ImuNumber, type Medium } from '../ids.js';
import type { CheckState, CheckStatus, ProtectState } from './check-status.js';
import { checkP11, createP11CheckState, createP11Config, protectP11, type P11Config } from './profile11.js';
import { checkP22, createP22CheckState, createP22Config, protectP22, type P22Config } from './profile22.js';
import { checkP4, createP4CheckState, createP4Config, protectP4, type P4Config } from './profile4.js';
import { checkP5, createP5CheckState, createP5Config, protectP5, type P5Config } from './profile5.js';

export * from './check-status.js';
export * from './profile11.js';
export * from './profile22.js';
export * from './profile4.js';
export * from './profile5.js';
export * from './state-machine.js';

export type E2eConfig =
  | { readonly profile: 'P11'; readonly p11: P11Config }
  | { readonly profile: 'P22'; readonly p22: P22Config }
  | { readonly profile: 'P4'; readonly p4: P4Config }
  | { readonly profile: 'P5'; readonly p5: P5Config };

/** Protects `buffer` in place (the whole frame, header at the configured offset). */
export function protect(config: E2eConfig, state: ProtectState, buffer: Uint8Array): void {
  switch (config.profile) {
    case 'P11': protectP11(config.p11, state, buffer); return;
    case 'P22': protectP22(config.p22, state, buffer); return;
    case 'P4': protectP4(config.p4, state, buffer); return;
    case 'P5': protectP5(config.p5, state, buffer); return;
    default: assertNever(config, 'E2E profile');
  }
}

/** Checks one received frame (null: nothing new this cycle). Never throws on any bytes. */
export function check(config: E2eConfig, state: CheckState, buffer: Uint8Array | null): CheckStatus {
  switch (config.profile) {
    case 'P11': return checkP11(config.p11, state, buffer);
    case 'P22': return checkP22(config.p22, state, buffer);
    case 'P4': return checkP4(config.p4, state, buffer);
    case 'P5': return checkP5(config.p5, state, buffer);
    default: return assertNever(config, 'E2E profile');
  }
}

/** A receiver state initialised as the profile's E2E_PxxCheckInit does. */
export function createCheckStateFor(config: E2eConfig): CheckState {
  switch (config.profile) {
    case 'P11': return createP11CheckState();
    case 'P22': return createP22CheckState();
    case 'P4': return createP4CheckState();
    case 'P5': return createP5CheckState();
    default: return assertNever(config, 'E2E profile');
  }
}

/** The E2E configuration of a Triplex frame kind from `sender` on `medium` (docs/WIRE.md). */
export function e2eConfigOf(kind: FrameKind, sender: ChannelId | ImuNumber, medium: Medium): E2eConfig {
  const canId = canIdOf(kind, sender);
  const layout = MEDIUM_LAYOUT[medium];
  const maxDeltaCounter = MAX_DELTA_COUNTER;
  const profile = profileOf(kind, medium);
  switch (profile) {
    case 'P11':
      return { profile, p11: createP11Config({ dataId: dataId16Of(canId), dataIdMode: 'both', dataLengthBytes: layout.frameBytes, offsetBytes: 0, maxDeltaCounter }) };
    case 'P22':
      return { profile, p22: createP22Config({ dataIdList: dataIdListOf(canId), dataLengthBytes: layout.frameBytes, offsetBytes: 0, maxDeltaCounter }) };
    case 'P4':
      return { profile, p4: createP4Config({ dataId: dataId32Of(canId), offsetBytes: 0, minDataLengthBytes: layout.frameBytes, maxDataLengthBytes: layout.frameBytes, maxDeltaCounter }) };
    case 'P5':
      return { profile, p5: createP5Config({ dataId: dataId16Of(canId), dataLengthBytes: layout.frameBytes, offsetBytes: 0, maxDeltaCounter }) };
    default:
      return assertNever(profile, 'E2E profile');
  }
}
