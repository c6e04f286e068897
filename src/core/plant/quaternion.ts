/**
 * Attitude arithmetic shared by the plant, the sensor models and the control law.
 *
 * Convention: Hamilton unit quaternion q = [w, x, y, z] rotating body-frame vectors into the
 * NED (north-east-down) frame; body axes x forward, y right, z down. Euler angles are the
 * aerospace 3-2-1 sequence (yaw ψ, then pitch θ, then roll φ), in radians unless a name says
 * `Deg`. Every function here is allocation-free: vectors are Float64Array slices addressed by
 * an offset, results go into caller-provided arrays or are returned as numbers.
 */

export const DEG_PER_RAD = 180 / Math.PI;
export const RAD_PER_DEG = Math.PI / 180;

/** Writes the unit quaternion of 3-2-1 Euler angles (rad) into `out[offset..offset+3]`. */
export function quaternionFromEuler(rollRad: number, pitchRad: number, yawRad: number, out: Float64Array, offset = 0): void {
  const cr = Math.cos(rollRad * 0.5);
  const sr = Math.sin(rollRad * 0.5);
  const cp = Math.cos(pitchRad * 0.5);
  const sp = Math.sin(pitchRad * 0.5);
  const cy = Math.cos(yawRad * 0.5);
  const sy = Math.sin(yawRad * 0.5);
  out[offset] = cr * cp * cy + sr * sp * sy;
  out[offset + 1] = sr * cp * cy - cr * sp * sy;
  out[offset + 2] = cr * sp * cy + sr * cp * sy;
  out[offset + 3] = cr * cp * sy - sr * sp * cy;
}

/** Writes 3-2-1 Euler angles [roll, pitch, yaw] (rad) of quaternion `q` into `out[outOffset..+2]`. */
export function eulerFromQuaternion(q: Float64Array, qOffset: number, out: Float64Array, outOffset = 0): void {
  const w = q[qOffset] ?? 1;
  const x = q[qOffset + 1] ?? 0;
  const y = q[qOffset + 2] ?? 0;
  const z = q[qOffset + 3] ?? 0;
  out[outOffset] = Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
  const sinPitch = 2 * (w * y - z * x);
  out[outOffset + 1] = Math.asin(sinPitch > 1 ? 1 : sinPitch < -1 ? -1 : sinPitch);
  out[outOffset + 2] = Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

/** Normalises the quaternion at `q[offset..offset+3]` in place; returns the norm it had. */
export function normaliseQuaternion(q: Float64Array, offset = 0): number {
  const w = q[offset] ?? 0;
  const x = q[offset + 1] ?? 0;
  const y = q[offset + 2] ?? 0;
  const z = q[offset + 3] ?? 0;
  const norm = Math.sqrt(w * w + x * x + y * y + z * z);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    q[offset] = 1;
    q[offset + 1] = 0;
    q[offset + 2] = 0;
    q[offset + 3] = 0;
    return norm;
  }
  const inv = 1 / norm;
  q[offset] = w * inv;
  q[offset + 1] = x * inv;
  q[offset + 2] = y * inv;
  q[offset + 3] = z * inv;
  return norm;
}

/**
 * Angle (degrees, 0..180) of the rotation between two attitudes given as quaternions:
 * 2·acos(|⟨a, b⟩|) for unit quaternions. Robust near 0 (uses atan2 of the vector part).
 */
export function quaternionAngleDeg(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number): number {
  const aw = a[aOffset] ?? 1;
  const ax = a[aOffset + 1] ?? 0;
  const ay = a[aOffset + 2] ?? 0;
  const az = a[aOffset + 3] ?? 0;
  const bw = b[bOffset] ?? 1;
  const bx = b[bOffset + 1] ?? 0;
  const by = b[bOffset + 2] ?? 0;
  const bz = b[bOffset + 3] ?? 0;
  // Relative rotation conj(a) ⊗ b.
  const ew = aw * bw + ax * bx + ay * by + az * bz;
  const ex = aw * bx - ax * bw - ay * bz + az * by;
  const ey = aw * by + ax * bz - ay * bw - az * bx;
  const ez = aw * bz - ax * by + ay * bx - az * bw;
  const vectorNorm = Math.sqrt(ex * ex + ey * ey + ez * ez);
  return 2 * Math.atan2(vectorNorm, Math.abs(ew)) * DEG_PER_RAD;
}

/**
 * Attitude error in degrees: the angle of the single rotation between the attitude `q` and
 * the setpoint given as 3-2-1 Euler angles (rad). This is the figure campaigns report as
 * `maxAttitudeErrorDeg` and that FLIGHT_ENVELOPE bounds. Allocation-free: the setpoint quaternion
 * is built in the caller's `scratch` (4 values, overwritten).
 */
export function attitudeErrorDeg(q: Float64Array, qOffset: number, rollRad: number, pitchRad: number, yawRad: number, scratch: Float64Array): number {
  quaternionFromEuler(rollRad, pitchRad, yawRad, scratch);
  return quaternionAngleDeg(scratch, 0, q, qOffset);
}

/**
 * Specific force (m/s²) an ideal accelerometer at rest in level, unaccelerated flight feels,
 * in body axes: f = −g·Rᵀ·e_down, i.e. [g·sinθ, −g·cosθ·sinφ, −g·cosθ·cosφ] for attitude q.
 */
export function specificForceBody(q: Float64Array, qOffset: number, gravity: number, out: Float64Array, outOffset: number): void {
  const w = q[qOffset] ?? 1;
  const x = q[qOffset + 1] ?? 0;
  const y = q[qOffset + 2] ?? 0;
  const z = q[qOffset + 3] ?? 0;
  out[outOffset] = -gravity * 2 * (x * z - w * y);
  out[outOffset + 1] = -gravity * 2 * (y * z + w * x);
  out[outOffset + 2] = -gravity * (1 - 2 * (x * x + y * y));
}
