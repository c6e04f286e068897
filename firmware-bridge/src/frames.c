/* Frame identifiers, layouts and body codecs; see include/frames.h and docs/WIRE.md. */
#include "frames.h"

#include <math.h>
#include <string.h>

#include "bytes.h"
#include "crc.h"
#include "tx_assert.h"

#define MAX_DELTA_COUNTER 2u

uint16_t tx_can_id(tx_frame_kind kind, uint8_t sender) {
    TX_ASSERT(sender >= 1u && sender <= 3u);
    switch (kind) {
    case TX_KIND_IMU_RATE: return (uint16_t)(0x120u + sender);
    case TX_KIND_IMU_ACCEL: return (uint16_t)(0x130u + sender);
    case TX_KIND_COMMAND: return (uint16_t)(0x100u + sender);
    case TX_KIND_STATUS: return (uint16_t)(0x200u + sender);
    }
    return 0u;
}

uint8_t tx_medium_frame_bytes(tx_medium medium) {
    return medium == TX_MEDIUM_CAN ? 8u : medium == TX_MEDIUM_CAN_FD ? 20u : 10u;
}

uint8_t tx_medium_body_offset(tx_medium medium) {
    return medium == TX_MEDIUM_CAN ? 1u : medium == TX_MEDIUM_CAN_FD ? 12u : 3u;
}

void tx_data_id_list(uint16_t can_id, uint8_t out[16]) {
    uint8_t input[3];
    uint8_t c;
    for (c = 0; c < 16u; c++) {
        input[0] = (uint8_t)(can_id >> 8);
        input[1] = (uint8_t)(can_id & 0xffu);
        input[2] = c;
        out[c] = tx_crc8_h2f(input, 3);
    }
}

void tx_e2e_config_of(tx_frame_kind kind, uint8_t sender, tx_medium medium, tx_e2e_config *out) {
    const uint16_t id = tx_can_id(kind, sender);
    memset(out, 0, sizeof *out);
    out->length_bytes = tx_medium_frame_bytes(medium);
    out->max_delta_counter = MAX_DELTA_COUNTER;
    if (medium == TX_MEDIUM_CAN_FD) {
        out->profile = TX_P4;
        out->data_id = 0x54580000u + id;
    } else if (medium == TX_MEDIUM_SERIAL) {
        out->profile = TX_P5;
        out->data_id = id;
    } else if (kind == TX_KIND_COMMAND) {
        out->profile = TX_P22;
        tx_data_id_list(id, out->data_id_list);
    } else {
        out->profile = TX_P11;
        out->data_id = id;
    }
}

static void put_i16(uint8_t *p, int16_t v) {
    tx_put_u16(p, (uint16_t)v);
}

static int16_t get_i16(const uint8_t *p) {
    const uint16_t u = tx_get_u16(p);
    return (int16_t)(u >= 0x8000u ? (int32_t)u - 0x10000 : (int32_t)u);
}

static bool symmetric(int32_t v, int32_t limit) {
    return v >= -limit && v <= limit;
}

void tx_encode_imu(const tx_imu_triple *v, uint8_t *body) {
    TX_ASSERT(v->sensor_status <= 7u);
    TX_ASSERT(symmetric(v->x, TX_INT16_LIMIT) && symmetric(v->y, TX_INT16_LIMIT) && symmetric(v->z, TX_INT16_LIMIT));
    body[0] = (uint8_t)(v->sensor_status << 4);
    put_i16(body + 1, v->x);
    put_i16(body + 3, v->y);
    put_i16(body + 5, v->z);
}

tx_body_status tx_decode_imu(const uint8_t *body, tx_imu_triple *out) {
    const uint8_t status = (uint8_t)(body[0] >> 4);
    const int16_t x = get_i16(body + 1);
    const int16_t y = get_i16(body + 3);
    const int16_t z = get_i16(body + 5);
    if ((status & 0x8u) != 0u) return TX_BODY_RESERVED;
    if (!symmetric(x, TX_INT16_LIMIT) || !symmetric(y, TX_INT16_LIMIT) || !symmetric(z, TX_INT16_LIMIT)) return TX_BODY_OUT_OF_RANGE;
    out->sensor_status = status;
    out->x = x;
    out->y = y;
    out->z = z;
    return TX_BODY_OK;
}

static int16_t read_int12(const uint8_t *p, unsigned slot) {
    const uint8_t *pair = p + (slot >> 1) * 3u;
    const unsigned raw = (slot & 1u) == 0u ? (((unsigned)pair[0] << 4) | (pair[1] >> 4)) : (((pair[1] & 0x0fu) << 8) | pair[2]);
    return (int16_t)(raw >= 0x800u ? (int32_t)raw - 0x1000 : (int32_t)raw);
}

void tx_encode_command(const tx_command *v, uint8_t *body) {
    unsigned u[TX_ACTUATOR_COUNT];
    unsigned i;
    for (i = 0; i < TX_ACTUATOR_COUNT; i++) {
        TX_ASSERT(symmetric(v->deflection_mrad[i], TX_INT12_LIMIT));
        u[i] = (unsigned)(uint16_t)v->deflection_mrad[i] & 0xfffu;
    }
    body[0] = v->engaged ? 0x10u : 0x00u;
    body[1] = (uint8_t)(u[0] >> 4);
    body[2] = (uint8_t)(((u[0] & 0x0fu) << 4) | (u[1] >> 8));
    body[3] = (uint8_t)(u[1] & 0xffu);
    body[4] = (uint8_t)(u[2] >> 4);
    body[5] = (uint8_t)(((u[2] & 0x0fu) << 4) | (u[3] >> 8));
    body[6] = (uint8_t)(u[3] & 0xffu);
}

tx_body_status tx_decode_command(const uint8_t *body, tx_command *out) {
    unsigned i;
    if ((body[0] & 0xe0u) != 0u) return TX_BODY_RESERVED;
    for (i = 0; i < TX_ACTUATOR_COUNT; i++) {
        if (read_int12(body + 1, i) < -TX_INT12_LIMIT) return TX_BODY_OUT_OF_RANGE;
    }
    out->engaged = (body[0] & 0x10u) != 0u;
    for (i = 0; i < TX_ACTUATOR_COUNT; i++) out->deflection_mrad[i] = read_int12(body + 1, i);
    return TX_BODY_OK;
}

void tx_encode_status(const tx_channel_status *v, uint8_t *body) {
    TX_ASSERT(v->health <= 4u && symmetric(v->clock_offset_micros, TX_INT16_LIMIT));
    body[0] = (uint8_t)(v->health << 4);
    body[1] = (uint8_t)(v->scrub_corrected >> 8);
    body[2] = (uint8_t)v->scrub_corrected;
    body[3] = v->scrub_uncorrectable;
    body[4] = v->scrub_passes;
    put_i16(body + 5, v->clock_offset_micros);
}

tx_body_status tx_decode_status(const uint8_t *body, tx_channel_status *out) {
    const uint8_t health = (uint8_t)(body[0] >> 4);
    const int16_t offset = get_i16(body + 5);
    if (health > 4u || !symmetric(offset, TX_INT16_LIMIT)) return TX_BODY_OUT_OF_RANGE;
    out->health = health;
    out->scrub_corrected = tx_get_u16(body + 1);
    out->scrub_uncorrectable = body[3];
    out->scrub_passes = body[4];
    out->clock_offset_micros = offset;
    return TX_BODY_OK;
}

int32_t tx_quantize(double value, double lsb, int32_t limit) {
    const double scaled = value / lsb;
    const double rounded = round(scaled); /* C99 round: half away from zero, as quantize() */
    TX_ASSERT(!isnan(value) && lsb > 0.0 && limit > 0);
    if (rounded > (double)limit) return limit;
    if (rounded < -(double)limit) return -limit;
    return (int32_t)rounded;
}
