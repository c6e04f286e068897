/*
 * The Triplex serial line format (docs/SERIAL.md), C twin of src/core/frame/serial-line.ts:
 *   line   = TYPE HEX* [CR] LF, uppercase hex, at most 512 bytes before the LF
 *   record = length u16 | counter u16 | dataId u32 | crc u32 | body   (Profile 4 at offset 0)
 * dataId = (linkId << 8) | TYPE; crc = CRC-32/AUTOSAR over the record without its crc field.
 */
#ifndef TX_SERIAL_LINE_H
#define TX_SERIAL_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TX_LINE_BYTES_MAX 512u
#define TX_RECORD_BYTES_MAX 255u
#define TX_RECORD_HEADER_BYTES 12u
#define TX_BODY_BYTES_MAX (TX_RECORD_BYTES_MAX - TX_RECORD_HEADER_BYTES)
/* An encoded line: TYPE + 2 * 255 hex digits + LF. */
#define TX_LINE_BUFFER_BYTES (1u + 2u * TX_RECORD_BYTES_MAX + 1u)
#define TX_LINK_ID_DEFAULT 0x545058u

#define TX_TYPE_FRAME 0x46u   /* 'F' */
#define TX_TYPE_REQUEST 0x51u /* 'Q' */
#define TX_TYPE_ANSWER 0x41u  /* 'A' */
#define TX_TYPE_EVENT 0x45u   /* 'E' */
#define TX_TYPE_COMMENT 0x23u /* '#' */

/* 'F' body: flags u8, CAN id u32 BE, length u8, data. */
#define TX_FRAME_FLAG_EXTENDED 0x01u
#define TX_FRAME_FLAG_RTR 0x02u
#define TX_FRAME_FLAG_FD 0x04u
#define TX_FRAME_FLAG_BRS 0x08u
#define TX_FRAME_FLAG_ESI 0x10u
#define TX_FRAME_FLAG_ERROR 0x20u
#define TX_FRAME_BODY_HEADER_BYTES 6u

typedef enum {
    TX_LINE_OK = 0,
    TX_LINE_EMPTY,
    TX_LINE_TOO_LONG,
    TX_LINE_UNKNOWN_TYPE,
    TX_LINE_BAD_HEX,
    TX_LINE_ODD_HEX_LENGTH,
    TX_LINE_RECORD_TOO_SHORT,
    TX_LINE_LENGTH_MISMATCH,
    TX_LINE_CRC_MISMATCH,
    TX_LINE_DATA_ID_MISMATCH,
    TX_LINE_BAD_BODY,
    TX_LINE_COMMENT /* a '#' line: not an error, nothing to decode */
} tx_line_status;

#define TX_LINE_STATUS_COUNT 12u

typedef struct {
    uint8_t type;
    uint16_t counter;
    uint8_t body[TX_BODY_BYTES_MAX];
    uint8_t body_length;
} tx_record;

/* Encodes one line (with LF) into `out` (>= TX_LINE_BUFFER_BYTES); returns its length. */
size_t tx_line_encode(uint8_t type, const uint8_t *body, size_t body_length, uint16_t counter, uint32_t link_id, uint8_t *out);
/* Decodes one line without its LF (a trailing CR is tolerated). Checks length, CRC, data ID. */
tx_line_status tx_line_decode(const uint8_t *line, size_t length, uint32_t link_id, tx_record *out);

/* Sender counters, one per type letter, wrapping at 2^16. */
typedef struct {
    uint16_t next[26];
} tx_line_counters;
uint16_t tx_line_counter_take(tx_line_counters *c, uint8_t type);

/* Bounded line splitter at LF: an overlong line is discarded up to the next LF, counted once. */
typedef struct {
    uint8_t buffer[TX_LINE_BYTES_MAX];
    uint16_t length;
    bool discarding;
    uint32_t overflows;
} tx_line_splitter;

void tx_line_splitter_init(tx_line_splitter *s);
/* Feeds one byte; returns true when a complete line (without LF) is in buffer[0..*line_length),
 * valid until the next push. */
bool tx_line_splitter_push(tx_line_splitter *s, uint8_t byte, size_t *line_length);

#endif
