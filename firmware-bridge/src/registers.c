/* Triplicated register image; see include/registers.h. */
#include "registers.h"

#include <string.h>

#include "bytes.h"
#include "tx_assert.h"

static unsigned popcount32(uint32_t v) {
    unsigned n = 0;
    unsigned bit;
    for (bit = 0; bit < 32u; bit++) n += (v >> bit) & 1u;
    return n;
}

void tx_registers_init(tx_registers *r, uint8_t count) {
    TX_ASSERT(count > 0u && count <= TX_REGISTERS_MAX);
    memset(r, 0, sizeof *r);
    r->count = count;
}

static void repair_copy(tx_registers *r, uint8_t copy, uint8_t index, uint32_t voted) {
    const uint32_t value = r->copies[copy][index];
    if (value == voted) return;
    r->masked_bits += popcount32(value ^ voted);
    r->copy_repairs[copy]++;
    r->copies[copy][index] = voted;
}

static uint32_t vote(tx_registers *r, uint8_t i) {
    const uint32_t a = r->copies[0][i];
    const uint32_t b = r->copies[1][i];
    const uint32_t c = r->copies[2][i];
    const uint32_t m = (a & b) | (a & c) | (b & c);
    if (a == b && b == c) return m;
    r->masked_disagreements++;
    repair_copy(r, 0, i, m);
    repair_copy(r, 1, i, m);
    repair_copy(r, 2, i, m);
    TX_ASSERT(r->copies[0][i] == m && r->copies[1][i] == m && r->copies[2][i] == m);
    return m;
}

uint32_t tx_registers_read(tx_registers *r, uint8_t index) {
    TX_ASSERT(index < r->count);
    r->reads++;
    return vote(r, index);
}

void tx_registers_write(tx_registers *r, uint8_t index, uint32_t value) {
    TX_ASSERT(index < r->count);
    r->copies[0][index] = value;
    r->copies[1][index] = value;
    r->copies[2][index] = value;
}

float tx_registers_read_f32(tx_registers *r, uint8_t index) {
    return tx_f32_from_bits(tx_registers_read(r, index));
}

void tx_registers_write_f32(tx_registers *r, uint8_t index, float value) {
    tx_registers_write(r, index, tx_f32_to_bits(value));
}

void tx_registers_flip(tx_registers *r, uint8_t index, uint8_t copy, uint8_t bit) {
    TX_ASSERT(index < r->count && copy < 3u && bit < 32u);
    r->copies[copy][index] ^= (uint32_t)1 << bit;
    r->flips_injected++;
}

uint32_t tx_registers_peek_copy(const tx_registers *r, uint8_t index, uint8_t copy) {
    TX_ASSERT(index < r->count && copy < 3u);
    return r->copies[copy][index];
}

uint32_t tx_registers_refresh_all(tx_registers *r) {
    const uint32_t before = r->masked_disagreements;
    uint8_t i;
    for (i = 0; i < r->count; i++) (void)vote(r, i);
    r->refreshes++;
    return r->masked_disagreements - before;
}
