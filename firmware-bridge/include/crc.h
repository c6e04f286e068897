/*
 * CRC engine (Rocksoft/Williams model, widths 1..64, bit by bit) and the catalogue of
 * src/core/integrity/crc-catalogue.ts, plus byte tables for the four E2E CRCs.
 * No dynamic allocation; every loop is bounded by the input length.
 */
#ifndef TX_CRC_H
#define TX_CRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    uint8_t width;
    uint64_t poly;
    uint64_t init;
    bool refin;
    bool refout;
    uint64_t xorout;
    uint64_t check;
} tx_crc_model;

#define TX_CRC_CATALOGUE_COUNT 16u

extern const tx_crc_model TX_CRC_CATALOGUE[TX_CRC_CATALOGUE_COUNT];

/* Catalogue entry by exact catalogue name (not aliases), or NULL. */
const tx_crc_model *tx_crc_find(const char *name);

/* One-shot CRC of `length` bytes, bit by bit (any model, slow but simple). */
uint64_t tx_crc_compute(const tx_crc_model *model, const uint8_t *data, size_t length);

/* Builds the four E2E byte tables; call once at start-up (idempotent). */
void tx_crc_tables_init(void);

/* Register updates for one byte (tables must be initialised). */
uint8_t tx_crc8_j1850_step(uint8_t reg, uint8_t byte);   /* CRC-8/SAE-J1850 (P11) */
uint8_t tx_crc8_h2f_step(uint8_t reg, uint8_t byte);     /* CRC-8/AUTOSAR (P22) */
uint16_t tx_crc16_ccitt_step(uint16_t reg, uint8_t byte); /* CRC-16/IBM-3740 (P5) */
uint32_t tx_crc32_p4_step(uint32_t reg, uint8_t byte);   /* CRC-32/AUTOSAR (P4, reflected) */
uint32_t tx_crc32c_step(uint32_t reg, uint8_t byte);     /* CRC-32/ISCSI (reflected; needs no tables) */

/* CRC-8/AUTOSAR of a buffer (init 0xFF, xorout 0xFF), table-driven. */
uint8_t tx_crc8_h2f(const uint8_t *data, size_t length);

#endif
