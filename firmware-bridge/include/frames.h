/*
 * Triplex frames (docs/WIRE.md): CAN identifiers, data IDs, per-medium layouts, the E2E
 * configuration of every frame, and the 7-byte bodies of the IMU, command and status frames.
 * The C twin of src/core/frame/{ids,sensor-frame,command-frame,status-frame,fixed-point}.ts.
 */
#ifndef TX_FRAMES_H
#define TX_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "e2e.h"

#define TX_FRAME_BODY_BYTES 7u
#define TX_FRAME_BYTES_MAX 20u
#define TX_ACTUATOR_COUNT 4u
#define TX_INT16_LIMIT 32767
#define TX_INT12_LIMIT 2047

typedef enum { TX_KIND_IMU_RATE, TX_KIND_IMU_ACCEL, TX_KIND_COMMAND, TX_KIND_STATUS } tx_frame_kind;
typedef enum { TX_MEDIUM_CAN = 0, TX_MEDIUM_CAN_FD = 1, TX_MEDIUM_SERIAL = 2 } tx_medium;

/* Decode results of the body codecs. */
typedef enum { TX_BODY_OK = 0, TX_BODY_LENGTH = 1, TX_BODY_OUT_OF_RANGE = 2, TX_BODY_RESERVED = 3 } tx_body_status;

uint16_t tx_can_id(tx_frame_kind kind, uint8_t sender);
uint8_t tx_medium_frame_bytes(tx_medium medium);
uint8_t tx_medium_body_offset(tx_medium medium);
/* P22 DataIDList of a CAN identifier: entry c = CRC-8/AUTOSAR over [id >> 8, id & 0xFF, c]. */
void tx_data_id_list(uint16_t can_id, uint8_t out[16]);
/* The E2E configuration of a frame kind from `sender` (channel 1..3 or IMU 1..3) on `medium`. */
void tx_e2e_config_of(tx_frame_kind kind, uint8_t sender, tx_medium medium, tx_e2e_config *out);

typedef struct {
    uint8_t sensor_status; /* 3 bits: FAULT 0x1, SATURATED 0x2, DEGRADED 0x4 */
    int16_t x, y, z;
} tx_imu_triple;

typedef struct {
    bool engaged;
    int16_t deflection_mrad[TX_ACTUATOR_COUNT];
} tx_command;

typedef struct {
    uint8_t health; /* 0 healthy, 1 suspect, 2 isolated, 3 reintegrating, 4 failed */
    uint16_t scrub_corrected;
    uint8_t scrub_uncorrectable;
    uint8_t scrub_passes;
    int16_t clock_offset_micros;
} tx_channel_status;

#define TX_SENSOR_STATUS_FAULT 0x1u

void tx_encode_imu(const tx_imu_triple *v, uint8_t *body);
tx_body_status tx_decode_imu(const uint8_t *body, tx_imu_triple *out);
void tx_encode_command(const tx_command *v, uint8_t *body);
tx_body_status tx_decode_command(const uint8_t *body, tx_command *out);
void tx_encode_status(const tx_channel_status *v, uint8_t *body);
tx_body_status tx_decode_status(const uint8_t *body, tx_channel_status *out);

/* Round half away from zero, then saturate to +-limit (fixed-point.ts quantize). */
int32_t tx_quantize(double value, double lsb, int32_t limit);

#endif
