/*
 * E2E protection, AUTOSAR Profiles 11, 22, 4 and 5, byte for byte as src/core/frame/e2e/ and
 * docs/WIRE.md ("End-to-end protection"). Headers at offset 0 (the Triplex layouts).
 */
#ifndef TX_E2E_H
#define TX_E2E_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AUTOSAR E2E_PCheckStatusType codes. */
typedef enum {
    TX_E2E_OK = 0,
    TX_E2E_REPEATED = 1,
    TX_E2E_WRONGSEQUENCE = 2,
    TX_E2E_ERROR = 3,
    TX_E2E_NOTAVAILABLE = 4,
    TX_E2E_NONEWDATA = 5
} tx_e2e_status;

typedef enum { TX_P11 = 11, TX_P22 = 22, TX_P4 = 4, TX_P5 = 5 } tx_e2e_profile;

typedef struct {
    tx_e2e_profile profile;
    uint32_t data_id;       /* P11/P5: 16-bit; P4: 32-bit; P22: unused */
    uint8_t data_id_list[16]; /* P22 only */
    uint16_t length_bytes;  /* frame length (P4: min = max = this) */
    uint8_t max_delta_counter;
} tx_e2e_config;

typedef struct {
    uint32_t counter;
    uint32_t lost_last;
    uint32_t lost_total;
    tx_e2e_status status;
} tx_e2e_check_state;

/* The profile's counter maximum (14, 15, 65535, 255). */
uint32_t tx_e2e_counter_max(tx_e2e_profile profile);
void tx_e2e_check_init(const tx_e2e_config *config, tx_e2e_check_state *state);
/* Protects `frame` (config->length_bytes long) in place; advances *counter. */
void tx_e2e_protect(const tx_e2e_config *config, uint32_t *counter, uint8_t *frame);
/* Checks a received frame (NULL: NONEWDATA). Never fails on any bytes. */
tx_e2e_status tx_e2e_check(const tx_e2e_config *config, tx_e2e_check_state *state, const uint8_t *frame, size_t length);
/* Profile 4's CRC-32P4 over bytes [0, 8) then [8 + 4, length): the header's CRC field is skipped.
 * The serial line record (docs/SERIAL.md) carries the same header and uses it too. */
uint32_t tx_e2e_p4_crc(const uint8_t *frame, size_t length);

#endif
