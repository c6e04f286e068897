/* Protected memory image and scrubber; see include/memory.h and docs/INTEGRITY.md. */
#include "memory.h"

#include <string.h>

#include "bytes.h"
#include "crc.h"
#include "tx_assert.h"

static void encode_word(tx_memory *m, uint16_t w) {
    m->check[w] = tx_secded_encode(m->code, m->data[w]);
}

void tx_memory_init(tx_memory *m, uint16_t size_bytes) {
    uint16_t w;
    TX_ASSERT(size_bytes <= TX_MEMORY_WORDS_MAX * TX_MEMORY_WORD_BYTES);
    memset(m, 0, sizeof *m);
    m->code = tx_secded_39_32();
    m->size_bytes = size_bytes;
    m->word_count = (uint16_t)((size_bytes + TX_MEMORY_WORD_BYTES - 1u) / TX_MEMORY_WORD_BYTES);
    m->last_fault_word = -1;
    for (w = 0; w < m->word_count; w++) encode_word(m, w);
}

bool tx_memory_in_range(const tx_memory *m, uint32_t address, uint32_t length) {
    return address <= m->size_bytes && length <= (uint32_t)m->size_bytes - address;
}

uint16_t tx_memory_find_dirty(const tx_memory *m, uint16_t from, uint16_t to) {
    uint16_t w;
    TX_ASSERT(from <= to && to <= m->word_count);
    for (w = from; w < to; w++) {
        if (tx_secded_encode(m->code, m->data[w]) != m->check[w]) return w;
    }
    return to;
}

void tx_memory_repair_word(tx_memory *m, uint16_t word, tx_decode_outcome *out) {
    TX_ASSERT(word < m->word_count);
    tx_secded_decode(m->code, m->data[word], m->check[word], out);
    if (out->kind == TX_DECODE_CORRECTED_DATA || out->kind == TX_DECODE_CORRECTED_CHECK) {
        m->data[word] = (uint32_t)out->data;
        m->check[word] = out->check;
    }
}

static void count_read(tx_memory *m, const tx_decode_outcome *o, uint16_t word) {
    if (o->kind == TX_DECODE_UNCORRECTABLE) {
        m->read_uncorrectable++;
        if (m->last_fault_word < 0) m->last_fault_word = word;
        m->last_read_status = TX_READ_UNCORRECTABLE;
    } else if (o->kind != TX_DECODE_CLEAN) {
        m->read_corrected++;
        if (m->last_read_status == TX_READ_OK) m->last_read_status = TX_READ_CORRECTED;
    }
}

static void repair_range(tx_memory *m, uint16_t address, uint16_t length) {
    tx_decode_outcome o;
    uint16_t first, end, w;
    m->last_read_status = TX_READ_OK;
    m->last_fault_word = -1;
    if (length == 0u) return;
    first = (uint16_t)(address / TX_MEMORY_WORD_BYTES);
    end = (uint16_t)((address + length - 1u) / TX_MEMORY_WORD_BYTES + 1u);
    for (w = tx_memory_find_dirty(m, first, end); w < end; w = tx_memory_find_dirty(m, (uint16_t)(w + 1u), end)) {
        tx_memory_repair_word(m, w, &o);
        count_read(m, &o, w);
    }
}

static uint8_t byte_at(const tx_memory *m, uint16_t address) {
    return (uint8_t)(m->data[address / TX_MEMORY_WORD_BYTES] >> (8u * (address % TX_MEMORY_WORD_BYTES)));
}

static void set_byte(tx_memory *m, uint16_t address, uint8_t value) {
    const unsigned shift = 8u * (address % TX_MEMORY_WORD_BYTES);
    uint32_t *word = &m->data[address / TX_MEMORY_WORD_BYTES];
    *word = (*word & ~((uint32_t)0xffu << shift)) | ((uint32_t)value << shift);
}

tx_read_status tx_memory_read(tx_memory *m, uint16_t address, uint16_t length, uint8_t *out) {
    uint16_t i;
    TX_ASSERT(tx_memory_in_range(m, address, length));
    repair_range(m, address, length);
    for (i = 0; i < length; i++) out[i] = byte_at(m, (uint16_t)(address + i));
    return m->last_read_status;
}

bool tx_memory_write(tx_memory *m, uint16_t address, const uint8_t *data, uint16_t length) {
    tx_decode_outcome o;
    uint16_t first, last, i, w;
    bool head, tail;
    TX_ASSERT(tx_memory_in_range(m, address, length));
    if (length == 0u) return true;
    first = (uint16_t)(address / TX_MEMORY_WORD_BYTES);
    last = (uint16_t)((address + length - 1u) / TX_MEMORY_WORD_BYTES);
    head = (address % TX_MEMORY_WORD_BYTES) != 0u;
    tail = ((address + length) % TX_MEMORY_WORD_BYTES) != 0u && !(head && last == first);
    m->last_read_status = TX_READ_OK;
    m->last_fault_word = -1;
    if (head && tx_memory_find_dirty(m, first, (uint16_t)(first + 1u)) == first) {
        tx_memory_repair_word(m, first, &o);
        count_read(m, &o, first);
    }
    if (tail && tx_memory_find_dirty(m, last, (uint16_t)(last + 1u)) == last) {
        tx_memory_repair_word(m, last, &o);
        count_read(m, &o, last);
    }
    if (m->last_fault_word >= 0) return false;
    for (i = 0; i < length; i++) set_byte(m, (uint16_t)(address + i), data[i]);
    for (w = first; w <= last; w++) encode_word(m, w);
    return true;
}

uint32_t tx_memory_read_u32(tx_memory *m, uint16_t address) {
    TX_ASSERT((address & 3u) == 0u && tx_memory_in_range(m, address, 4));
    repair_range(m, address, 4);
    return m->data[address / TX_MEMORY_WORD_BYTES];
}

bool tx_memory_write_u32(tx_memory *m, uint16_t address, uint32_t value) {
    TX_ASSERT((address & 3u) == 0u && tx_memory_in_range(m, address, 4));
    m->last_read_status = TX_READ_OK;
    m->last_fault_word = -1;
    m->data[address / TX_MEMORY_WORD_BYTES] = value;
    encode_word(m, (uint16_t)(address / TX_MEMORY_WORD_BYTES));
    return true;
}

float tx_memory_read_f32(tx_memory *m, uint16_t address) {
    return tx_f32_from_bits(tx_memory_read_u32(m, address));
}

bool tx_memory_write_f32(tx_memory *m, uint16_t address, float value) {
    return tx_memory_write_u32(m, address, tx_f32_to_bits(value));
}

/* CRC-32/ISCSI (init and xorout 0xFFFFFFFF) of the corrected data bytes, byte by byte (crc.c). */
tx_read_status tx_memory_data_crc32c(tx_memory *m, uint32_t *crc) {
    uint32_t reg = 0xffffffffu;
    uint32_t a;
    repair_range(m, 0, m->size_bytes);
    if (m->last_read_status == TX_READ_UNCORRECTABLE) return TX_READ_UNCORRECTABLE;
    for (a = 0; a < m->size_bytes; a++) reg = tx_crc32c_step(reg, byte_at(m, (uint16_t)a));
    *crc = reg ^ 0xffffffffu;
    return m->last_read_status;
}

void tx_memory_flip(tx_memory *m, uint16_t word, uint8_t bit) {
    TX_ASSERT(word < m->word_count && bit < m->code->code_bits);
    if (bit < m->code->data_bits) {
        m->data[word] ^= (uint32_t)1 << bit;
    } else {
        m->check[word] = (uint8_t)(m->check[word] ^ (1u << (bit - m->code->data_bits)));
    }
    m->flips_injected++;
}

/* ---- scrubber ---- */

void tx_scrubber_init(tx_scrubber *s, tx_memory *image) {
    memset(s, 0, sizeof *s);
    s->image = image;
    s->last_uncorrectable_word = -1;
}

static void scan_chunk(tx_scrubber *s, uint16_t from, uint16_t to, tx_scrub_report *r) {
    tx_decode_outcome o;
    uint16_t w;
    for (w = tx_memory_find_dirty(s->image, from, to); w < to; w = tx_memory_find_dirty(s->image, (uint16_t)(w + 1u), to)) {
        tx_memory_repair_word(s->image, w, &o);
        if (o.kind == TX_DECODE_CORRECTED_DATA) {
            s->corrected_data++;
            r->corrected++;
        } else if (o.kind == TX_DECODE_CORRECTED_CHECK) {
            s->corrected_check++;
            r->corrected++;
        } else {
            TX_ASSERT(o.kind == TX_DECODE_UNCORRECTABLE);
            s->uncorrectable_events++;
            s->last_uncorrectable_word = w;
            s->last_uncorrectable_syndrome = o.syndrome;
            r->uncorrectable++;
        }
    }
}

void tx_scrubber_step(tx_scrubber *s, uint16_t word_budget, tx_scrub_report *r) {
    const uint16_t total = s->image->word_count;
    uint16_t remaining = word_budget < total ? word_budget : total;
    memset(r, 0, sizeof *r);
    /* Bounded: each iteration consumes at least one word of `remaining` (<= word_count). */
    while (remaining > 0u) {
        const uint16_t end = (uint16_t)((uint32_t)s->cursor + remaining < total ? s->cursor + remaining : total);
        scan_chunk(s, s->cursor, end, r);
        remaining = (uint16_t)(remaining - (end - s->cursor));
        r->words_scanned = (uint16_t)(r->words_scanned + (end - s->cursor));
        s->cursor = end == total ? 0u : end;
        if (end == total) {
            s->full_passes++;
            r->pass_completed = true;
        }
    }
    s->words_scanned += r->words_scanned;
    r->cursor = s->cursor;
}
