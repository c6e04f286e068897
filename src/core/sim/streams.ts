/**
 * The PRNG stream ids of a flight: one table, so no two consumers share a stream and adding
 * draws to one never shifts another (docs/SIMULATION.md). Every stream is `new Prng(seed)`
 * forked by the id below, except the console's upset process, which keeps the seed derivation
 * it had when it was first published (`seed ^ CONSOLE_UPSET_SEED_XOR`) so that old console
 * sessions replay.
 */

/** The plant's gust generator. */
export const PLANT_GUST_STREAM = 100;
/** IMU i (0-based): `IMU_STREAM_BASE + i` (up to four IMUs: 101..104). */
export const IMU_STREAM_BASE = 101;
/** The emulated CAN bus's own randomness (fault hooks that draw). */
export const BUS_STREAM = 200;
/** Channel oscillators: each channel draws its initial offset and drift from this stream, in channel order. */
export const CHANNEL_CLOCK_STREAM = 300;
/** Expansion of the fault profile into injections (arrival times, open fields). */
export const INJECTION_STREAM = 400;
/** `triplex soak`: the random single fault of a flight seed. */
export const SOAK_FAULT_STREAM = 9;
/** The console's SEU process (`upset CH RATE`): `new Prng(seed ^ CONSOLE_UPSET_SEED_XOR)`. */
export const CONSOLE_UPSET_SEED_XOR = 0x5eed;
/** A campaign's twin seeds (`--twin-seeds N`): `new Prng(campaignSeed).fork(TWIN_SEED_STREAM)`, N draws of nextU32. */
export const TWIN_SEED_STREAM = 500;
