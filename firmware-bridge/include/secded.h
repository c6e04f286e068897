/*
 * SEC-DED Hsiao codes (39,32) and (72,64), column for column the same as
 * src/core/integrity/secded.ts. Code-word bit numbering: bits 0..k-1 are data bits (bit i of
 * the little-endian data word), bits k..n-1 are check bits (code bit k+j is check bit j).
 */
#ifndef TX_SECDED_H
#define TX_SECDED_H

#include <stdbool.h>
#include <stdint.h>

#define TX_SECDED_COLUMNS_MAX 72u

typedef struct {
    uint8_t data_bits;  /* 32 or 64 */
    uint8_t check_bits; /* 7 or 8 */
    uint8_t code_bits;  /* 39 or 72 */
    uint8_t columns[TX_SECDED_COLUMNS_MAX];
    uint8_t byte_table[8][256];
    int8_t position_of[256];
} tx_secded_code;

typedef enum {
    TX_DECODE_CLEAN = 0,
    TX_DECODE_CORRECTED_DATA = 1,
    TX_DECODE_CORRECTED_CHECK = 2,
    TX_DECODE_UNCORRECTABLE = 3
} tx_decode_kind;

typedef struct {
    tx_decode_kind kind;
    uint8_t syndrome;
    int16_t position;   /* corrected code-word bit, or -1 */
    bool even_syndrome; /* uncorrectable with an even-weight syndrome (every double error) */
    uint64_t data;      /* corrected data (received data when uncorrectable) */
    uint8_t check;
} tx_decode_outcome;

/* Builds both codes' tables; call once at start-up (idempotent). */
void tx_secded_init(void);
const tx_secded_code *tx_secded_39_32(void);
const tx_secded_code *tx_secded_72_64(void);

uint8_t tx_secded_encode(const tx_secded_code *code, uint64_t data);
uint8_t tx_secded_syndrome(const tx_secded_code *code, uint64_t data, uint8_t check);
void tx_secded_decode(const tx_secded_code *code, uint64_t data, uint8_t check, tx_decode_outcome *out);
unsigned tx_popcount8(uint8_t value);

#endif
