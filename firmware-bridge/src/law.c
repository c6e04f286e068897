/* Control law; see include/law.h. Expression order follows src/core/control/law.ts exactly. */
#include "law.h"

#include <math.h>

#include "tx_assert.h"

#define GRAVITY_M_PER_S2 9.80665
#define ACCEL_GATE_FRACTION 0.25
#define ACTUATORS 4

static double rd(const tx_control_memory *m, int slot) {
    return (double)m->read_f32(m->ctx, (uint16_t)(4 * slot));
}

static void wr(const tx_control_memory *m, int slot, double value) {
    m->write_f32(m->ctx, (uint16_t)(4 * slot), (float)value);
}

static double rr(const tx_work_registers *r, int index) {
    return (double)r->read_f32(r->ctx, (uint8_t)index);
}

static void wrr(const tx_work_registers *r, int index, double value) {
    r->write_f32(r->ctx, (uint8_t)index, (float)value);
}

static double clamp(double v, double limit) {
    return v > limit ? limit : v < -limit ? -limit : v;
}

static void normalise(double q[4]) {
    const double norm = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    double inv;
    if (!(norm > 1e-6) || !isfinite(norm)) {
        q[0] = 1;
        q[1] = 0;
        q[2] = 0;
        q[3] = 0;
        return;
    }
    inv = 1 / norm;
    q[0] = q[0] * inv;
    q[1] = q[1] * inv;
    q[2] = q[2] * inv;
    q[3] = q[3] * inv;
}

static void accel_error(const double q[4], const double sample[6], double e[3]) {
    const double w = q[0], x = q[1], y = q[2], z = q[3];
    const double dx = 2 * (x * z - w * y);
    const double dy = 2 * (y * z + w * x);
    const double dz = 1 - 2 * (x * x + y * y);
    const double ax = sample[3], ay = sample[4], az = sample[5];
    const double norm = sqrt(ax * ax + ay * ay + az * az);
    e[0] = 0;
    e[1] = 0;
    e[2] = 0;
    if (fabs(norm - GRAVITY_M_PER_S2) < ACCEL_GATE_FRACTION * GRAVITY_M_PER_S2) {
        const double mx = -ax / norm;
        const double my = -ay / norm;
        const double mz = -az / norm;
        e[0] = my * dz - mz * dy;
        e[1] = mz * dx - mx * dz;
        e[2] = mx * dy - my * dx;
    }
}

/* Stage 0: complementary filter with gyro-bias learning. */
static void estimate(const tx_control_memory *mem, const tx_work_registers *regs, const double sample[6], double dt_s, double q[4]) {
    double e[3], b[3], w, x, y, z, p, r1, r2, h, k_acc, k_bias_dt;
    int i;
    for (i = 0; i < 4; i++) q[i] = rd(mem, TX_SLOT_ESTIMATE_QUATERNION + i);
    w = q[0];
    x = q[1];
    y = q[2];
    z = q[3];
    accel_error(q, sample, e);
    k_acc = rd(mem, TX_SLOT_EST_ACCEL_GAIN);
    k_bias_dt = rd(mem, TX_SLOT_EST_BIAS_GAIN) * dt_s;
    for (i = 0; i < 3; i++) b[i] = rd(mem, TX_SLOT_ESTIMATE_GYRO_BIAS + i);
    for (i = 0; i < 3; i++) wrr(regs, TX_REG_RATE_MEASURED + i, sample[i] - b[i]);
    for (i = 0; i < 3; i++) wr(mem, TX_SLOT_ESTIMATE_GYRO_BIAS + i, b[i] - k_bias_dt * e[i]);
    p = rr(regs, TX_REG_RATE_MEASURED) + k_acc * e[0];
    r1 = rr(regs, TX_REG_RATE_MEASURED + 1) + k_acc * e[1];
    r2 = rr(regs, TX_REG_RATE_MEASURED + 2) + k_acc * e[2];
    h = 0.5 * dt_s;
    q[0] = w - h * (x * p + y * r1 + z * r2);
    q[1] = x + h * (w * p + y * r2 - z * r1);
    q[2] = y + h * (w * r1 + z * p - x * r2);
    q[3] = z + h * (w * r2 + x * r1 - y * p);
    normalise(q);
    for (i = 0; i < 4; i++) wr(mem, TX_SLOT_ESTIMATE_QUATERNION + i, q[i]);
}

/* quaternionFromEuler of src/core/plant/quaternion.ts. */
static void setpoint_quaternion(const tx_control_memory *mem, double s[4]) {
    const double roll = rd(mem, TX_SLOT_SETPOINT_ATTITUDE);
    const double pitch = rd(mem, TX_SLOT_SETPOINT_ATTITUDE + 1);
    const double yaw = rd(mem, TX_SLOT_SETPOINT_ATTITUDE + 2);
    const double cr = cos(roll * 0.5), sr = sin(roll * 0.5);
    const double cp = cos(pitch * 0.5), sp = sin(pitch * 0.5);
    const double cy = cos(yaw * 0.5), sy = sin(yaw * 0.5);
    s[0] = cr * cp * cy + sr * sp * sy;
    s[1] = sr * cp * cy - cr * sp * sy;
    s[2] = cr * sp * cy + sr * cp * sy;
    s[3] = cr * cp * sy - sr * sp * cy;
}

/* Stage 1: attitude error (small-angle vector of conj(q_sp) * q) -> rate setpoint. */
static void attitude_loop(const tx_control_memory *mem, const tx_work_registers *regs, const double q[4]) {
    double s[4], sign;
    int i;
    const double w = q[0], x = q[1], y = q[2], z = q[3];
    setpoint_quaternion(mem, s);
    sign = (s[0] * w + s[1] * x + s[2] * y + s[3] * z) < 0 ? -2 : 2;
    wrr(regs, TX_REG_ATTITUDE_ERROR, sign * (s[0] * x - s[1] * w - s[2] * z + s[3] * y));
    wrr(regs, TX_REG_ATTITUDE_ERROR + 1, sign * (s[0] * y + s[1] * z - s[2] * w - s[3] * x));
    wrr(regs, TX_REG_ATTITUDE_ERROR + 2, sign * (s[0] * z - s[1] * y + s[2] * x - s[3] * w));
    for (i = 0; i < 3; i++) {
        const double kp = rd(mem, TX_SLOT_ATTITUDE_KP + i);
        const double limit = rd(mem, TX_SLOT_RATE_SP_MAX + i);
        const double demand = rd(mem, TX_SLOT_SETPOINT_RATE + i) - kp * rr(regs, TX_REG_ATTITUDE_ERROR + i);
        wrr(regs, TX_REG_RATE_SETPOINT + i, clamp(demand, limit));
    }
}

/* Stage 2: PID on body rate, derivative on measurement through a first-order filter. */
static void rate_loop(const tx_control_memory *mem, const tx_work_registers *regs, double dt_s) {
    const double tau = rd(mem, TX_SLOT_DERIVATIVE_TAU);
    const double alpha = dt_s / (tau + dt_s);
    int i;
    for (i = 0; i < 3; i++) {
        const double measured = rr(regs, TX_REG_RATE_MEASURED + i);
        double raw, filtered, proportional, integral, derivative;
        wrr(regs, TX_REG_RATE_ERROR + i, rr(regs, TX_REG_RATE_SETPOINT + i) - measured);
        raw = (measured - rd(mem, TX_SLOT_PREVIOUS_RATE + i)) / dt_s;
        filtered = rd(mem, TX_SLOT_DERIVATIVE_FILTERED + i) + alpha * (raw - rd(mem, TX_SLOT_DERIVATIVE_FILTERED + i));
        wr(mem, TX_SLOT_PREVIOUS_RATE + i, measured);
        wr(mem, TX_SLOT_DERIVATIVE_FILTERED + i, filtered);
        proportional = rd(mem, TX_SLOT_RATE_KP + i) * rr(regs, TX_REG_RATE_ERROR + i);
        integral = rd(mem, TX_SLOT_INTEGRATOR + i);
        derivative = rd(mem, TX_SLOT_RATE_KD + i) * rd(mem, TX_SLOT_DERIVATIVE_FILTERED + i);
        wrr(regs, TX_REG_TORQUE_DEMAND + i, proportional + integral - derivative);
    }
}

/* Stage 3: u = sat(B+ tau); integrators advance with back-calculation anti-windup. */
static void allocate(const tx_control_memory *mem, const tx_work_registers *regs, double dt_s) {
    const double tx = rr(regs, TX_REG_TORQUE_DEMAND);
    const double ty = rr(regs, TX_REG_TORQUE_DEMAND + 1);
    const double tz = rr(regs, TX_REG_TORQUE_DEMAND + 2);
    double k_aw;
    int i, k;
    for (k = 0; k < ACTUATORS; k++) {
        const int row = TX_SLOT_ALLOCATION + 3 * k;
        const double u = rd(mem, row) * tx + rd(mem, row + 1) * ty + rd(mem, row + 2) * tz;
        wrr(regs, TX_REG_ACTUATOR_OUTPUT + k, clamp(u, rd(mem, TX_SLOT_ACTUATOR_LIMIT + k)));
    }
    k_aw = rd(mem, TX_SLOT_ANTI_WINDUP);
    for (i = 0; i < 3; i++) {
        const int row = TX_SLOT_EFFECTIVENESS + ACTUATORS * i;
        double achieved = 0, demand, limit, rate_ki, next;
        for (k = 0; k < ACTUATORS; k++) achieved += rd(mem, row + k) * rr(regs, TX_REG_ACTUATOR_OUTPUT + k);
        demand = rr(regs, TX_REG_TORQUE_DEMAND + i);
        limit = rd(mem, TX_SLOT_INTEGRATOR_MAX + i);
        rate_ki = rd(mem, TX_SLOT_RATE_KI + i);
        next = rd(mem, TX_SLOT_INTEGRATOR + i) + dt_s * (rate_ki * rr(regs, TX_REG_RATE_ERROR + i) + k_aw * (achieved - demand));
        wr(mem, TX_SLOT_INTEGRATOR + i, clamp(next, limit));
    }
}

tx_law_status tx_law_step(const tx_control_memory *mem, const tx_work_registers *regs, const double sample[6], double dt_s, double out[4]) {
    double q[4];
    tx_law_status status = TX_LAW_OK;
    int i;
    TX_ASSERT(dt_s > 0 && dt_s <= 0.1);
    if (rd(mem, TX_SLOT_MAGIC) != TX_CONTROL_MEMORY_MAGIC || rd(mem, TX_SLOT_VERSION) != TX_CONTROL_MEMORY_VERSION) {
        for (i = 0; i < ACTUATORS; i++) out[i] = 0;
        return TX_LAW_BAD_LAYOUT;
    }
    estimate(mem, regs, sample, dt_s, q);
    attitude_loop(mem, regs, q);
    rate_loop(mem, regs, dt_s);
    allocate(mem, regs, dt_s);
    for (i = 0; i < ACTUATORS; i++) {
        const double value = rr(regs, TX_REG_ACTUATOR_OUTPUT + i);
        if (isfinite(value)) {
            out[i] = value;
        } else {
            out[i] = 0;
            status = TX_LAW_NON_FINITE;
        }
    }
    return status;
}
