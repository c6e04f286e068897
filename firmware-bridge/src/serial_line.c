/* Serial line codec; see include/serial_line.h and docs/SERIAL.md. */
#include "serial_line.h"

#include <string.h>

#include "bytes.h"
#include "e2e.h"
#include "tx_assert.h"

static const char HEX_DIGITS[] = "0123456789ABCDEF";

static bool is_letter(uint8_t b) {
    return (b >= 0x41u && b <= 0x5au) || (b >= 0x61u && b <= 0x7au);
}

static bool is_known_type(uint8_t b) {
    return b == TX_TYPE_FRAME || b == TX_TYPE_REQUEST || b == TX_TYPE_ANSWER || b == TX_TYPE_EVENT;
}

static int hex_value(uint8_t b) {
    if (b >= 0x30u && b <= 0x39u) return b - 0x30;
    if (b >= 0x41u && b <= 0x46u) return b - 0x37;
    return -1;
}

size_t tx_line_encode(uint8_t type, const uint8_t *body, size_t body_length, uint16_t counter, uint32_t link_id, uint8_t *out) {
    uint8_t record[TX_RECORD_BYTES_MAX];
    const size_t length = TX_RECORD_HEADER_BYTES + body_length;
    size_t i, at = 1;
    TX_ASSERT(is_letter(type) && body_length <= TX_BODY_BYTES_MAX);
    tx_put_u16(record, (uint32_t)length);
    tx_put_u16(record + 2, counter);
    tx_put_u32(record + 4, ((link_id << 8) | type) & 0xffffffffu);
    if (body_length > 0u) memcpy(record + TX_RECORD_HEADER_BYTES, body, body_length);
    tx_put_u32(record + 8, tx_e2e_p4_crc(record, length));
    out[0] = type;
    for (i = 0; i < length; i++) {
        out[at++] = (uint8_t)HEX_DIGITS[record[i] >> 4];
        out[at++] = (uint8_t)HEX_DIGITS[record[i] & 0x0fu];
    }
    out[at++] = 0x0au;
    TX_ASSERT(at <= TX_LINE_BUFFER_BYTES);
    return at;
}

static tx_line_status check_frame_body(const tx_record *r) {
    uint32_t id, id_max;
    uint8_t flags, length, data;
    if (r->body_length < TX_FRAME_BODY_HEADER_BYTES) return TX_LINE_BAD_BODY;
    flags = r->body[0];
    id = tx_get_u32(r->body + 1);
    length = r->body[5];
    data = (uint8_t)(r->body_length - TX_FRAME_BODY_HEADER_BYTES);
    if ((flags & 0xc0u) != 0u) return TX_LINE_BAD_BODY;
    id_max = (flags & (TX_FRAME_FLAG_EXTENDED | TX_FRAME_FLAG_ERROR)) != 0u ? 0x1fffffffu : 0x7ffu;
    if (id > id_max) return TX_LINE_BAD_BODY;
    if ((flags & TX_FRAME_FLAG_RTR) != 0u) return (data == 0u && length <= 8u && (flags & TX_FRAME_FLAG_FD) == 0u) ? TX_LINE_OK : TX_LINE_BAD_BODY;
    if (length != data) return TX_LINE_BAD_BODY;
    if ((flags & TX_FRAME_FLAG_FD) == 0u) return (data <= 8u && (flags & (TX_FRAME_FLAG_BRS | TX_FRAME_FLAG_ESI)) == 0u) ? TX_LINE_OK : TX_LINE_BAD_BODY;
    return (data <= 8u || data == 12u || data == 16u || data == 20u || data == 24u || data == 32u || data == 48u || data == 64u) ? TX_LINE_OK : TX_LINE_BAD_BODY;
}

static tx_line_status decode_record(const uint8_t *line, size_t end, uint32_t link_id, tx_record *out) {
    uint8_t record[TX_RECORD_BYTES_MAX];
    const size_t digits = end - 1u;
    size_t i, length;
    if (digits % 2u != 0u) return TX_LINE_ODD_HEX_LENGTH;
    length = digits / 2u;
    for (i = 0; i < length; i++) {
        const int hi = hex_value(line[1u + 2u * i]);
        const int lo = hex_value(line[2u + 2u * i]);
        if (hi < 0 || lo < 0) return TX_LINE_BAD_HEX;
        record[i] = (uint8_t)((hi << 4) | lo);
    }
    if (length < TX_RECORD_HEADER_BYTES) return TX_LINE_RECORD_TOO_SHORT;
    if (tx_get_u16(record) != length) return TX_LINE_LENGTH_MISMATCH;
    if (tx_get_u32(record + 8) != tx_e2e_p4_crc(record, length)) return TX_LINE_CRC_MISMATCH;
    if (tx_get_u32(record + 4) != (((link_id << 8) | line[0]) & 0xffffffffu)) return TX_LINE_DATA_ID_MISMATCH;
    out->type = line[0];
    out->counter = (uint16_t)tx_get_u16(record + 2);
    out->body_length = (uint8_t)(length - TX_RECORD_HEADER_BYTES);
    memcpy(out->body, record + TX_RECORD_HEADER_BYTES, out->body_length);
    if (out->type == TX_TYPE_FRAME) return check_frame_body(out);
    if (out->type == TX_TYPE_REQUEST && out->body_length < 2u) return TX_LINE_BAD_BODY;
    if (out->type == TX_TYPE_ANSWER && out->body_length < 3u) return TX_LINE_BAD_BODY;
    return TX_LINE_OK;
}

tx_line_status tx_line_decode(const uint8_t *line, size_t length, uint32_t link_id, tx_record *out) {
    const size_t end = (length > 0u && line[length - 1u] == 0x0du) ? length - 1u : length;
    if (length > TX_LINE_BYTES_MAX) return TX_LINE_TOO_LONG;
    if (end == 0u) return TX_LINE_EMPTY;
    if (line[0] == TX_TYPE_COMMENT) return TX_LINE_COMMENT;
    if (!is_known_type(line[0])) return TX_LINE_UNKNOWN_TYPE;
    return decode_record(line, end, link_id, out);
}

uint16_t tx_line_counter_take(tx_line_counters *c, uint8_t type) {
    const unsigned slot = (unsigned)(type & ~0x20u) - 0x41u;
    uint16_t counter;
    TX_ASSERT(slot < 26u);
    counter = c->next[slot];
    c->next[slot] = (uint16_t)(counter + 1u);
    return counter;
}

void tx_line_splitter_init(tx_line_splitter *s) {
    memset(s, 0, sizeof *s);
}

bool tx_line_splitter_push(tx_line_splitter *s, uint8_t byte, size_t *line_length) {
    if (byte == 0x0au) {
        const bool complete = !s->discarding;
        *line_length = s->length;
        s->discarding = false;
        s->length = 0;
        return complete;
    }
    if (s->discarding) return false;
    if (s->length == TX_LINE_BYTES_MAX) {
        s->discarding = true;
        s->length = 0;
        s->overflows++;
        return false;
    }
    s->buffer[s->length++] = byte;
    return false;
}
