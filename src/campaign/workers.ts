/**
 * The campaign's worker pool (node:worker_threads). Each worker builds the same plan from the
 * config and runs the rows it is sent; rows come back in completion order. Since a row is a
 * pure function of (config, row index), it does not matter which worker ran it or when.
 *
 * The main thread hands out small chunks of row indices, two chunks in flight per worker so
 * that no worker waits for the next one, and stops handing out work once asked to stop.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CampaignRunner, type CampaignConfig } from './runner.js';
import type { CampaignRow, GoldenRecord } from '../io/results.js';

const ROLE = 'triplex-campaign-worker';
/** Largest chunk of rows sent to a worker at once. */
export const CHUNK_ROWS_MAX = 16;
/** Chunks outstanding per worker. */
const CHUNKS_IN_FLIGHT = 2;

type ToWorker = { readonly type: 'rows'; readonly rows: readonly number[] } | { readonly type: 'golden' };
type FromWorker =
  | { readonly type: 'row'; readonly line: CampaignRow; readonly skippedS: number; readonly earlyEndedS: number }
  | { readonly type: 'chunk-done' }
  | { readonly type: 'golden'; readonly record: GoldenRecord }
  | { readonly type: 'failed'; readonly message: string };

export interface PoolCallbacks {
  /** A row came back; simulated seconds fast-forward (`skippedS`) and early convergence (`earlyEndedS`) spared it (docs/CAMPAIGNS.md). */
  onRow(line: CampaignRow, skippedS: number, earlyEndedS: number): void;
  onGolden(record: GoldenRecord): void;
  /** Polled between chunks: true stops handing out rows (the pool then drains and resolves). */
  shouldStop(): boolean;
}

export interface PoolOptions {
  /** False: every row flies from t = 0 to its end (`--full-flights`; the same rows, slower). Default true. */
  readonly fastForward?: boolean;
}

interface WorkerState {
  readonly worker: Worker;
  outstanding: number;
}

/**
 * Runs `rows` (and the golden run first, when `golden` is true) on `workers` worker threads.
 * Resolves when every row handed out has come back; rejects on a worker failure.
 */
export function runInWorkers(config: CampaignConfig, rows: readonly number[], workers: number, golden: boolean, callbacks: PoolCallbacks, options: PoolOptions = {}): Promise<void> {
  const chunk = Math.max(1, Math.min(CHUNK_ROWS_MAX, Math.ceil(rows.length / (workers * 8))));
  let next = 0;
  let goldenPending = golden;
  return new Promise<void>((resolve, reject) => {
    const states: WorkerState[] = [];
    let finished = false;
    const finish = (error?: Error): void => {
      if (finished) return;
      finished = true;
      for (const s of states) void s.worker.terminate();
      if (error === undefined) resolve(); else reject(error);
    };
    const feed = (state: WorkerState): void => {
      if (goldenPending) {
        goldenPending = false;
        state.outstanding++;
        state.worker.postMessage({ type: 'golden' } satisfies ToWorker);
      }
      while (state.outstanding < CHUNKS_IN_FLIGHT && next < rows.length && !callbacks.shouldStop()) {
        const slice = rows.slice(next, next + chunk);
        next += slice.length;
        state.outstanding++;
        state.worker.postMessage({ type: 'rows', rows: slice } satisfies ToWorker);
      }
    };
    const feedAndCheck = (state: WorkerState): void => {
      feed(state);
      if (states.every((s) => s.outstanding === 0)) finish();
    };
    const count = Math.max(1, Math.min(workers, Math.max(1, rows.length)));
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: { role: ROLE, config, fastForward: options.fastForward !== false } });
      const state: WorkerState = { worker, outstanding: 0 };
      states.push(state);
      worker.on('message', (message: FromWorker) => {
        if (finished) return;
        switch (message.type) {
          case 'row': callbacks.onRow(message.line, message.skippedS, message.earlyEndedS); return;
          case 'golden': callbacks.onGolden(message.record); state.outstanding--; feedAndCheck(state); return;
          case 'chunk-done': state.outstanding--; feedAndCheck(state); return;
          case 'failed': finish(new Error(`campaign worker failed: ${message.message}`)); return;
        }
      });
      worker.on('error', (error) => { finish(error); });
      worker.on('exit', (code) => { if (!finished && code !== 0) finish(new Error(`campaign worker exited with code ${code}`)); });
    }
    for (const s of states) feed(s);
    if (states.every((s) => s.outstanding === 0)) finish();
  });
}

async function workerMain(config: CampaignConfig, fastForward: boolean): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const runner = await CampaignRunner.load(config);
  port.on('message', (message: ToWorker) => {
    try {
      if (message.type === 'golden') {
        port.postMessage({ type: 'golden', record: runner.golden() } satisfies FromWorker);
        return;
      }
      for (const row of message.rows) {
        const { line, skippedS, earlyEndedS } = runner.run(row, 0, fastForward);
        port.postMessage({ type: 'row', line, skippedS, earlyEndedS } satisfies FromWorker);
      }
      port.postMessage({ type: 'chunk-done' } satisfies FromWorker);
    } catch (error: unknown) {
      port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromWorker);
    }
  });
}

const data = workerData as { role?: unknown; config?: CampaignConfig; fastForward?: boolean } | null;
if (!isMainThread && data?.role === ROLE && data.config !== undefined) {
  workerMain(data.config, data.fastForward !== false).catch((error: unknown) => {
    parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromWorker);
  });
}
