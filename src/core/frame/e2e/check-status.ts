/**
 * Receiver check status and the counter evaluation every E2E profile shares.
 *
 * `CheckStatus` is AUTOSAR's `E2E_PCheckStatusType` (the profile-independent status that the
 * E2E state machine consumes), spelled as string literals. A profile's own status
 * `OKSOMELOST` (frames lost, but no more than MaxDeltaCounter) maps to `OK` exactly as
 * AUTOSAR's `E2E_PxxMapStatusToSM` does; the number of frames lost is kept in the receiver
 * state (`lostFramesLast`, `lostFramesTotal`) so that loss stays visible.
 */
import { assert } from '../../assert.js';

export type CheckStatus =
  /** CRC, data ID and length correct; counter advanced by 1..MaxDeltaCounter. */
  | 'OK'
  /** Correct frame, but the counter did not advance: the same frame again (repetition). */
  | 'REPEATED'
  /** Correct frame, but the counter jumped by more than MaxDeltaCounter (or went backwards). */
  | 'WRONGSEQUENCE'
  /** CRC, data ID, length or header field wrong: corruption, masquerade or insertion. */
  | 'ERROR'
  /** No status available: the value the state machine's window starts with; check never returns it. */
  | 'NOTAVAILABLE'
  /** The receiver had no new frame to check in this cycle. */
  | 'NONEWDATA';

export const CHECK_STATUSES: readonly CheckStatus[] = ['OK', 'REPEATED', 'WRONGSEQUENCE', 'ERROR', 'NOTAVAILABLE', 'NONEWDATA'];

/** Sender state of any profile: the counter the next protected frame carries. */
export interface ProtectState {
  counter: number;
}

/** Receiver state of any profile (AUTOSAR `E2E_PxxCheckStateType` plus loss accounting). */
export interface CheckState {
  /** Counter of the last frame that passed CRC, data ID and length checks. */
  counter: number;
  /** Status of the last check. */
  status: CheckStatus;
  /** Frames skipped by the last accepted frame (delta − 1 when OK; AUTOSAR's OKSOMELOST when > 0). */
  lostFramesLast: number;
  /** Sum of `lostFramesLast` over all OK checks (wraps at 2^53, never in practice). */
  lostFramesTotal: number;
}

export function createProtectState(): ProtectState {
  return { counter: 0 };
}

/**
 * A fresh receiver state. `counterInitial` is the profile's maximum counter value (AUTOSAR
 * E2E_PxxCheckInit), so that a first frame carrying counter 0 is OK.
 */
export function createCheckState(counterInitial: number): CheckState {
  assert(Number.isInteger(counterInitial) && counterInitial >= 0, 'bad initial counter');
  return { counter: counterInitial, status: 'NOTAVAILABLE', lostFramesLast: 0, lostFramesTotal: 0 };
}

/**
 * The counter step of every profile's check, called once CRC, data ID and length are correct
 * (AUTOSAR E2E_PxxCheck "DeltaCounter" evaluation): delta 0 REPEATED, 1 OK, 2..maxDelta OK with
 * delta − 1 lost, else WRONGSEQUENCE. The stored counter follows the received one in every case,
 * so the receiver resynchronises on the frame after a WRONGSEQUENCE.
 */
export function evaluateCounter(state: CheckState, counterReceived: number, counterModulo: number, maxDeltaCounter: number): CheckStatus {
  const delta = (counterReceived - state.counter + counterModulo) % counterModulo;
  state.counter = counterReceived;
  if (delta === 0) return 'REPEATED';
  if (delta > maxDeltaCounter) return 'WRONGSEQUENCE';
  state.lostFramesLast = delta - 1;
  state.lostFramesTotal += delta - 1;
  return 'OK';
}
