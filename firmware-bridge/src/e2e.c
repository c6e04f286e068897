/* E2E Profiles 11, 22, 4, 5; see include/e2e.h and docs/WIRE.md. */
#include "e2e.h"

#include "bytes.h"
#include "crc.h"
#include "tx_assert.h"

uint32_t tx_e2e_counter_max(tx_e2e_profile profile) {
    switch (profile) {
    case TX_P11: return 14u;
    case TX_P22: return 15u;
    case TX_P4: return 0xffffu;
    case TX_P5: return 0xffu;
    }
    return 0u;
}

void tx_e2e_check_init(const tx_e2e_config *config, tx_e2e_check_state *state) {
    state->counter = tx_e2e_counter_max(config->profile);
    state->lost_last = 0;
    state->lost_total = 0;
    state->status = TX_E2E_NOTAVAILABLE;
}

static uint8_t p11_crc(const tx_e2e_config *c, const uint8_t *frame) {
    uint8_t crc = tx_crc8_j1850_step(tx_crc8_j1850_step(0x00u, (uint8_t)(c->data_id & 0xffu)), (uint8_t)(c->data_id >> 8));
    uint16_t i;
    for (i = 1; i < c->length_bytes; i++) crc = tx_crc8_j1850_step(crc, frame[i]);
    return crc;
}

static uint8_t p22_crc(const tx_e2e_config *c, const uint8_t *frame, uint8_t counter) {
    uint8_t crc = 0xffu;
    uint16_t i;
    for (i = 1; i < c->length_bytes; i++) crc = tx_crc8_h2f_step(crc, frame[i]);
    return (uint8_t)(tx_crc8_h2f_step(crc, c->data_id_list[counter & 0x0fu]) ^ 0xffu);
}

uint32_t tx_e2e_p4_crc(const uint8_t *frame, size_t length) {
    uint32_t crc = 0xffffffffu;
    size_t i;
    for (i = 0; i < length; i++) {
        if (i < 8u || i >= 12u) crc = tx_crc32_p4_step(crc, frame[i]);
    }
    return crc ^ 0xffffffffu;
}

static uint16_t p5_crc(const tx_e2e_config *c, const uint8_t *frame) {
    uint16_t crc = 0xffffu;
    uint16_t i;
    for (i = 2; i < c->length_bytes; i++) crc = tx_crc16_ccitt_step(crc, frame[i]);
    crc = tx_crc16_ccitt_step(crc, (uint8_t)(c->data_id & 0xffu));
    return tx_crc16_ccitt_step(crc, (uint8_t)((c->data_id >> 8) & 0xffu));
}

void tx_e2e_protect(const tx_e2e_config *c, uint32_t *counter, uint8_t *frame) {
    const uint32_t max = tx_e2e_counter_max(c->profile);
    TX_ASSERT(*counter <= max);
    switch (c->profile) {
    case TX_P11:
        frame[1] = (uint8_t)((frame[1] & 0xf0u) | *counter);
        frame[0] = p11_crc(c, frame);
        break;
    case TX_P22:
        frame[1] = (uint8_t)((frame[1] & 0xf0u) | *counter);
        frame[0] = p22_crc(c, frame, (uint8_t)*counter);
        break;
    case TX_P4:
        tx_put_u16(frame, c->length_bytes);
        tx_put_u16(frame + 2, *counter);
        tx_put_u32(frame + 4, c->data_id);
        tx_put_u32(frame + 8, tx_e2e_p4_crc(frame, c->length_bytes));
        break;
    case TX_P5: {
        uint16_t crc;
        frame[2] = (uint8_t)*counter;
        crc = p5_crc(c, frame);
        frame[0] = (uint8_t)(crc & 0xffu);
        frame[1] = (uint8_t)(crc >> 8);
        break;
    }
    }
    *counter = *counter == max ? 0u : *counter + 1u;
}

static tx_e2e_status evaluate_counter(tx_e2e_check_state *s, uint32_t received, uint32_t modulo, uint32_t max_delta) {
    const uint32_t delta = (received + modulo - s->counter) % modulo;
    s->counter = received;
    if (delta == 0u) return TX_E2E_REPEATED;
    if (delta > max_delta) return TX_E2E_WRONGSEQUENCE;
    s->lost_last = delta - 1u;
    s->lost_total += delta - 1u;
    return TX_E2E_OK;
}

static tx_e2e_status check_frame(const tx_e2e_config *c, tx_e2e_check_state *s, const uint8_t *f, size_t length) {
    const uint32_t modulo = tx_e2e_counter_max(c->profile) + 1u;
    if (f == NULL) return TX_E2E_NONEWDATA;
    if (length != c->length_bytes) return TX_E2E_ERROR;
    switch (c->profile) {
    case TX_P11:
        if ((f[1] & 0x0fu) > 14u || f[0] != p11_crc(c, f)) return TX_E2E_ERROR;
        return evaluate_counter(s, f[1] & 0x0fu, modulo, c->max_delta_counter);
    case TX_P22:
        if (f[0] != p22_crc(c, f, (uint8_t)(f[1] & 0x0fu))) return TX_E2E_ERROR;
        return evaluate_counter(s, f[1] & 0x0fu, modulo, c->max_delta_counter);
    case TX_P4:
        if (tx_get_u16(f) != length || tx_get_u32(f + 4) != c->data_id || tx_get_u32(f + 8) != tx_e2e_p4_crc(f, length)) return TX_E2E_ERROR;
        return evaluate_counter(s, tx_get_u16(f + 2), modulo, c->max_delta_counter);
    case TX_P5:
        if (((uint32_t)f[0] | ((uint32_t)f[1] << 8)) != p5_crc(c, f)) return TX_E2E_ERROR;
        return evaluate_counter(s, f[2], modulo, c->max_delta_counter);
    }
    return TX_E2E_ERROR;
}

tx_e2e_status tx_e2e_check(const tx_e2e_config *c, tx_e2e_check_state *s, const uint8_t *frame, size_t length) {
    s->status = check_frame(c, s, frame, length);
    return s->status;
}
