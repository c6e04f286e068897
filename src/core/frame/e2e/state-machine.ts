/**
 * The E2E state machine (AUTOSAR_PRS_E2EProtocol R20-11, "E2E state machine", E2E_SMCheck):
 * turns the per-frame check statuses of one receiver into a state the consumer can act on,
 * over a sliding window of recent statuses.
 *
 *   NODATA   nothing usable received yet
 *   INIT     receiving, not yet enough OK frames in the window (WindowSizeInit)
 *   VALID    enough OK and few enough ERROR statuses in the window (WindowSizeValid)
 *   INVALID  too many errors or too few OKs (recovers over WindowSizeInvalid)
 *
 * Only OK and ERROR statuses are counted; REPEATED, WRONGSEQUENCE, NONEWDATA and NOTAVAILABLE
 * count as neither, so they lower the OK count of the window. The window array has
 * WindowSizeValid entries; in INIT and INVALID only the newest WindowSizeInit/Invalid count.
 *
 * Triplex extension (docs/WIRE.md): `timeoutMicros` on the monotonic clock passed in. In INIT or
 * VALID, if no OK status has arrived for longer than timeoutMicros the machine goes INVALID
 * whatever the window says, so a delayed or silent sender is detected by time and not only by
 * counting cycles. Without it (null) the machine is AUTOSAR's.
 */
import { assert } from '../../assert.js';
import type { CheckStatus } from './check-status.js';

export type E2eSmState = 'NODATA' | 'INIT' | 'VALID' | 'INVALID';

/** Bound on every window (AUTOSAR uses uint8 window sizes). */
export const E2E_SM_WINDOW_SIZE_MAX = 255;

export interface E2eSmConfig {
  readonly windowSizeValid: number;
  readonly windowSizeInit: number;
  readonly windowSizeInvalid: number;
  readonly minOkStateInit: number;
  readonly maxErrorStateInit: number;
  readonly minOkStateValid: number;
  readonly maxErrorStateValid: number;
  readonly minOkStateInvalid: number;
  readonly maxErrorStateInvalid: number;
  /** Clear the whole window on every transition to INVALID (AUTOSAR ClearToInvalid). */
  readonly clearToInvalid: boolean;
  /** Leave NODATA/INIT for INVALID when the window shows it cannot succeed (AUTOSAR TransitToInvalidExtended). */
  readonly transitToInvalidExtended: boolean;
  /** Freshness deadline on the monotonic clock; null disables it (pure AUTOSAR behaviour). */
  readonly timeoutMicros: number | null;
}

const STATUS_OK = 0;
const STATUS_ERROR = 3;
const STATUS_OTHER = 4;

function statusCode(status: CheckStatus): number {
  if (status === 'OK') return STATUS_OK;
  return status === 'ERROR' ? STATUS_ERROR : STATUS_OTHER;
}

function isCount(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** The constraints of AUTOSAR E2E_SMCheckInit / E2E_SMCheck on the configuration. */
export function validateE2eSmConfig(config: E2eSmConfig): void {
  const sizeValid = config.windowSizeValid;
  assert(isCount(sizeValid, E2E_SM_WINDOW_SIZE_MAX) && sizeValid >= 1, `windowSizeValid ${sizeValid}`);
  assert(isCount(config.windowSizeInit, sizeValid) && config.windowSizeInit >= 1, 'windowSizeInit must be 1..windowSizeValid');
  assert(isCount(config.windowSizeInvalid, sizeValid) && config.windowSizeInvalid >= 1, 'windowSizeInvalid must be 1..windowSizeValid');
  assert(isCount(config.minOkStateValid, sizeValid) && config.minOkStateValid >= 1, 'minOkStateValid must be ≥ 1');
  assert(config.minOkStateValid <= config.minOkStateInit && config.minOkStateInit <= config.minOkStateInvalid, 'need minOkStateValid ≤ minOkStateInit ≤ minOkStateInvalid');
  assert(config.maxErrorStateValid >= config.maxErrorStateInit && config.maxErrorStateInit >= config.maxErrorStateInvalid, 'need maxErrorStateValid ≥ maxErrorStateInit ≥ maxErrorStateInvalid');
  assert(isCount(config.maxErrorStateInvalid, sizeValid), 'maxErrorStateInvalid must be ≥ 0');
  assert(config.minOkStateInit + config.maxErrorStateInit <= sizeValid, 'minOkStateInit + maxErrorStateInit exceeds windowSizeValid');
  assert(config.minOkStateValid + config.maxErrorStateValid <= sizeValid, 'minOkStateValid + maxErrorStateValid exceeds windowSizeValid');
  assert(config.minOkStateInvalid + config.maxErrorStateInvalid <= sizeValid, 'minOkStateInvalid + maxErrorStateInvalid exceeds windowSizeValid');
  assert(config.timeoutMicros === null || (Number.isSafeInteger(config.timeoutMicros) && config.timeoutMicros > 0), 'timeoutMicros must be a positive integer or null');
}

export class E2eStateMachine {
  private readonly window: Uint8Array;
  private top = 0;
  private smState: E2eSmState = 'NODATA';
  private okCountValue = 0;
  private errorCountValue = 0;
  private lastOkMicros = 0;
  private lastNowMicros = 0;

  constructor(private readonly config: E2eSmConfig) {
    validateE2eSmConfig(config);
    this.window = new Uint8Array(config.windowSizeValid).fill(STATUS_OTHER);
  }

  get state(): E2eSmState {
    return this.smState;
  }

  get okCount(): number {
    return this.okCountValue;
  }

  get errorCount(): number {
    return this.errorCountValue;
  }

  /** True when the consumer may use the data (VALID). */
  get valid(): boolean {
    return this.smState === 'VALID';
  }

  /** E2E_SMCheck for one check status at monotonic time `nowMicros` (never decreasing). */
  update(status: CheckStatus, nowMicros: number): E2eSmState {
    if (!(Number.isSafeInteger(nowMicros) && nowMicros >= this.lastNowMicros)) assert(false, `E2E SM time went from ${this.lastNowMicros} to ${nowMicros}`);
    this.lastNowMicros = nowMicros;
    if (status === 'OK') this.lastOkMicros = nowMicros;
    switch (this.smState) {
      case 'NODATA': this.stepNoData(status, nowMicros); break;
      case 'INIT': this.stepInit(status); break;
      case 'VALID': this.stepValid(status); break;
      case 'INVALID': this.stepInvalid(status); break;
    }
    this.applyTimeout(nowMicros);
    return this.smState;
  }

  /** Back to NODATA with an empty window (E2E_SMCheckInit). */
  reset(): void {
    this.clearStatus();
    this.smState = 'NODATA';
  }

  private stepNoData(status: CheckStatus, nowMicros: number): void {
    this.addStatus(status);
    if (this.config.transitToInvalidExtended && this.top === 0) {
      this.transitToInvalid();
    } else if (status !== 'ERROR' && status !== 'NONEWDATA') {
      this.clearStatus();
      this.smState = 'INIT';
      this.lastOkMicros = nowMicros;
    }
  }

  private stepInit(status: CheckStatus): void {
    const config = this.config;
    this.addStatus(status);
    const hopeless = this.top === 0
      ? this.okCountValue < config.minOkStateInit
      : this.top - this.okCountValue > config.windowSizeInit - config.minOkStateInit;
    if (this.errorCountValue > config.maxErrorStateInit || (config.transitToInvalidExtended && hopeless)) {
      this.transitToInvalid();
    } else if (this.okCountValue >= config.minOkStateInit) {
      this.clearRemainingStatus('VALID');
      this.smState = 'VALID';
    }
  }

  private stepValid(status: CheckStatus): void {
    this.addStatus(status);
    if (this.errorCountValue <= this.config.maxErrorStateValid && this.okCountValue >= this.config.minOkStateValid) return;
    if (this.config.clearToInvalid) this.clearStatus();
    this.smState = 'INVALID';
  }

  private stepInvalid(status: CheckStatus): void {
    this.addStatus(status);
    if (this.errorCountValue <= this.config.maxErrorStateInvalid && this.okCountValue >= this.config.minOkStateInvalid) {
      this.clearRemainingStatus('VALID');
      this.smState = 'VALID';
    }
  }

  private applyTimeout(nowMicros: number): void {
    const timeoutMicros = this.config.timeoutMicros;
    if (timeoutMicros === null || (this.smState !== 'INIT' && this.smState !== 'VALID')) return;
    if (nowMicros - this.lastOkMicros > timeoutMicros) this.transitToInvalid();
  }

  /** E2E_SMAddStatus: store at the top, recount the current state's window, advance the top. */
  private addStatus(status: CheckStatus): void {
    const size = this.window.length;
    this.window[this.top] = statusCode(status);
    const counted = this.windowSizeOf(this.smState);
    let ok = 0;
    let error = 0;
    let index = this.top;
    for (let step = 0; step < counted; step++) {
      const entry = this.window[index];
      if (entry === STATUS_OK) ok++;
      else if (entry === STATUS_ERROR) error++;
      index = index === 0 ? size - 1 : index - 1;
    }
    this.okCountValue = ok;
    this.errorCountValue = error;
    this.top = this.top === size - 1 ? 0 : this.top + 1;
  }

  private windowSizeOf(state: E2eSmState): number {
    if (state === 'INIT') return this.config.windowSizeInit;
    if (state === 'INVALID') return this.config.windowSizeInvalid;
    return this.config.windowSizeValid;
  }

  private transitToInvalid(): void {
    if (this.config.clearToInvalid) this.clearStatus();
    else this.clearRemainingStatus('INVALID');
    this.smState = 'INVALID';
  }

  private clearStatus(): void {
    this.window.fill(STATUS_OTHER);
    this.top = 0;
    this.okCountValue = 0;
    this.errorCountValue = 0;
  }

  /** E2E_SMClearRemainingStatus: entries outside the current window must not count in a larger next one. */
  private clearRemainingStatus(next: E2eSmState): void {
    const current = this.windowSizeOf(this.smState);
    if (current >= this.windowSizeOf(next)) return;
    const size = this.window.length;
    let index = this.top;
    for (let step = 0; step < size - current; step++) {
      this.window[index] = STATUS_OTHER;
      index = index === size - 1 ? 0 : index + 1;
    }
  }
}
