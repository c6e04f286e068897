/*
 * The control law of one channel, the C twin of src/core/control/law.ts: complementary-filter
 * attitude estimator, cascaded attitude -> rate PID (derivative on measurement, back-calculation
 * anti-windup), pseudo-inverse allocation with saturation.
 *
 * Arithmetic is double throughout, in the same order as the TypeScript; every persistent value
 * is a float32 slot in the control memory (MEMORY_SLOT layout of src/core/control/state.ts) and
 * every working value a float32 register, exactly as the TypeScript stores them. Results match
 * the TypeScript within the tolerance of README.md (bit-exact in practice: only sin/cos of the
 * setpoint may differ in the last bit of a double before the float32 store).
 */
#ifndef TX_LAW_H
#define TX_LAW_H

#include <stdint.h>

enum {
    TX_SLOT_MAGIC = 0, TX_SLOT_VERSION = 1, TX_SLOT_ATTITUDE_KP = 2, TX_SLOT_RATE_KP = 5, TX_SLOT_RATE_KI = 8,
    TX_SLOT_RATE_KD = 11, TX_SLOT_DERIVATIVE_TAU = 14, TX_SLOT_ANTI_WINDUP = 15, TX_SLOT_EST_ACCEL_GAIN = 16,
    TX_SLOT_EST_BIAS_GAIN = 17, TX_SLOT_RATE_SP_MAX = 18, TX_SLOT_INTEGRATOR_MAX = 21, TX_SLOT_ACTUATOR_LIMIT = 24,
    TX_SLOT_EFFECTIVENESS = 28, TX_SLOT_ALLOCATION = 40, TX_SLOT_SETPOINT_ATTITUDE = 52, TX_SLOT_SETPOINT_RATE = 55,
    TX_SLOT_INTEGRATOR = 58, TX_SLOT_PREVIOUS_RATE = 61, TX_SLOT_DERIVATIVE_FILTERED = 64,
    TX_SLOT_ESTIMATE_QUATERNION = 67, TX_SLOT_ESTIMATE_GYRO_BIAS = 71, TX_SLOT_COUNT = 74
};

enum {
    TX_REG_RATE_MEASURED = 0, TX_REG_ATTITUDE_ERROR = 3, TX_REG_RATE_SETPOINT = 6, TX_REG_RATE_ERROR = 9,
    TX_REG_TORQUE_DEMAND = 12, TX_REG_ACTUATOR_OUTPUT = 15, TX_REG_COUNT = 19
};

#define TX_CONTROL_MEMORY_BYTES (TX_SLOT_COUNT * 4)
#define TX_CONTROL_MEMORY_MAGIC 0x5458
#define TX_CONTROL_MEMORY_VERSION 1

typedef enum { TX_LAW_OK = 0, TX_LAW_BAD_LAYOUT = 1, TX_LAW_NON_FINITE = 2 } tx_law_status;

/* Ports: byte addresses (4-aligned) into the control memory, register indices 0..18. */
typedef struct {
    void *ctx;
    float (*read_f32)(void *ctx, uint16_t address);
    void (*write_f32)(void *ctx, uint16_t address, float value);
} tx_control_memory;

typedef struct {
    void *ctx;
    float (*read_f32)(void *ctx, uint8_t index);
    void (*write_f32)(void *ctx, uint8_t index, float value);
} tx_work_registers;

/*
 * One control cycle. sample: [gx gy gz] rad/s, [ax ay az] m/s^2 (specific force); dt_s in
 * (0, 0.1]. Writes four actuator commands (deg) to out.
 */
tx_law_status tx_law_step(const tx_control_memory *mem, const tx_work_registers *regs, const double sample[6], double dt_s, double out[4]);

/* The default control state (generated from TypeScript: src/control_defaults.c), slot by slot. */
extern const uint32_t TX_CONTROL_DEFAULTS[TX_SLOT_COUNT];

#endif
