/* CRC engine and catalogue; see include/crc.h and docs/CRC.md. */
#include "crc.h"

#include <string.h>

const tx_crc_model TX_CRC_CATALOGUE[TX_CRC_CATALOGUE_COUNT] = {
    {"CRC-8/SAE-J1850", 8, 0x1du, 0xffu, false, false, 0xffu, 0x4bu},
    {"CRC-8/AUTOSAR", 8, 0x2fu, 0xffu, false, false, 0xffu, 0xdfu},
    {"CRC-8/SMBUS", 8, 0x07u, 0x00u, false, false, 0x00u, 0xf4u},
    {"CRC-15/CAN", 15, 0x4599u, 0x0000u, false, false, 0x0000u, 0x059eu},
    {"CRC-16/IBM-3740", 16, 0x1021u, 0xffffu, false, false, 0x0000u, 0x29b1u},
    {"CRC-16/ARC", 16, 0x8005u, 0x0000u, true, true, 0x0000u, 0xbb3du},
    {"CRC-16/KERMIT", 16, 0x1021u, 0x0000u, true, true, 0x0000u, 0x2189u},
    {"CRC-16/MODBUS", 16, 0x8005u, 0xffffu, true, true, 0x0000u, 0x4b37u},
    {"CRC-16/XMODEM", 16, 0x1021u, 0x0000u, false, false, 0x0000u, 0x31c3u},
    {"CRC-32/ISO-HDLC", 32, 0x04c11db7u, 0xffffffffu, true, true, 0xffffffffu, 0xcbf43926u},
    {"CRC-32/ISCSI", 32, 0x1edc6f41u, 0xffffffffu, true, true, 0xffffffffu, 0xe3069283u},
    {"CRC-32/AUTOSAR", 32, 0xf4acfb13u, 0xffffffffu, true, true, 0xffffffffu, 0x1697d06au},
    {"CRC-32/BZIP2", 32, 0x04c11db7u, 0xffffffffu, false, false, 0xffffffffu, 0xfc891918u},
    {"CRC-32/MPEG-2", 32, 0x04c11db7u, 0xffffffffu, false, false, 0x00000000u, 0x0376e6e7u},
    {"CRC-64/XZ", 64, 0x42f0e1eba9ea3693ull, 0xffffffffffffffffull, true, true, 0xffffffffffffffffull, 0x995dc9bbdf1939faull},
    {"CRC-64/ECMA-182", 64, 0x42f0e1eba9ea3693ull, 0x0ull, false, false, 0x0ull, 0x6c40df5f0b497347ull},
};

const tx_crc_model *tx_crc_find(const char *name) {
    size_t i;
    for (i = 0; i < TX_CRC_CATALOGUE_COUNT; i++) {
        if (strcmp(TX_CRC_CATALOGUE[i].name, name) == 0) return &TX_CRC_CATALOGUE[i];
    }
    return NULL;
}

static uint64_t reflect(uint64_t value, uint8_t width) {
    uint64_t out = 0;
    uint8_t i;
    for (i = 0; i < width; i++) {
        out = (out << 1) | ((value >> i) & 1u);
    }
    return out;
}

static uint64_t width_mask(uint8_t width) {
    return width >= 64u ? ~(uint64_t)0 : (((uint64_t)1 << width) - 1u);
}

uint64_t tx_crc_compute(const tx_crc_model *model, const uint8_t *data, size_t length) {
    const uint64_t mask = width_mask(model->width);
    const uint64_t top = (uint64_t)1 << (model->width - 1u);
    uint64_t crc = model->init & mask;
    size_t n;
    for (n = 0; n < length; n++) {
        const uint8_t byte = model->refin ? (uint8_t)reflect(data[n], 8) : data[n];
        int bit;
        for (bit = 7; bit >= 0; bit--) {
            const bool in = ((byte >> bit) & 1u) != 0;
            const bool msb = (crc & top) != 0;
            crc = (crc << 1) & mask;
            if (in != msb) crc ^= model->poly;
        }
    }
    if (model->refout) crc = reflect(crc, model->width);
    return (crc ^ model->xorout) & mask;
}

static uint8_t table_j1850[256];
static uint8_t table_h2f[256];
static uint16_t table_ccitt[256];
static uint32_t table_p4[256];
static bool tables_ready = false;

/* T[b] = crc([b]) ^ crc([0]): the register update for one byte from register 0 (as crc-tables.ts). */
static uint32_t table_entry(const tx_crc_model *model, uint8_t byte) {
    const uint8_t zero = 0;
    return (uint32_t)(tx_crc_compute(model, &byte, 1) ^ tx_crc_compute(model, &zero, 1));
}

void tx_crc_tables_init(void) {
    unsigned b;
    if (tables_ready) return;
    for (b = 0; b < 256u; b++) {
        table_j1850[b] = (uint8_t)table_entry(&TX_CRC_CATALOGUE[0], (uint8_t)b);
        table_h2f[b] = (uint8_t)table_entry(&TX_CRC_CATALOGUE[1], (uint8_t)b);
        table_ccitt[b] = (uint16_t)table_entry(&TX_CRC_CATALOGUE[4], (uint8_t)b);
        table_p4[b] = table_entry(&TX_CRC_CATALOGUE[11], (uint8_t)b);
    }
    tables_ready = true;
}

uint8_t tx_crc8_j1850_step(uint8_t reg, uint8_t byte) {
    return table_j1850[(uint8_t)(reg ^ byte)];
}

uint8_t tx_crc8_h2f_step(uint8_t reg, uint8_t byte) {
    return table_h2f[(uint8_t)(reg ^ byte)];
}

uint16_t tx_crc16_ccitt_step(uint16_t reg, uint8_t byte) {
    return (uint16_t)(((unsigned)reg << 8) ^ table_ccitt[(uint8_t)((reg >> 8) ^ byte)]);
}

uint32_t tx_crc32_p4_step(uint32_t reg, uint8_t byte) {
    return (reg >> 8) ^ table_p4[(uint8_t)(reg ^ byte)];
}

/* CRC-32/ISCSI (Castagnoli, poly 0x1EDC6F41 reflected = 0x82F63B78), bit by bit: no table, it runs once per state transfer. */
uint32_t tx_crc32c_step(uint32_t reg, uint8_t byte) {
    unsigned bit;
    reg ^= byte;
    for (bit = 0; bit < 8u; bit++) reg = (reg >> 1) ^ (0x82f63b78u & ((uint32_t)0 - (reg & 1u)));
    return reg;
}

uint8_t tx_crc8_h2f(const uint8_t *data, size_t length) {
    uint8_t crc = 0xffu;
    size_t i;
    for (i = 0; i < length; i++) crc = tx_crc8_h2f_step(crc, data[i]);
    return (uint8_t)(crc ^ 0xffu);
}
