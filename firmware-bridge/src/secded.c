/* SEC-DED Hsiao codes; see include/secded.h and docs/INTEGRITY.md. */
#include "secded.h"

static tx_secded_code code39;
static tx_secded_code code72;
static bool codes_ready = false;

unsigned tx_popcount8(uint8_t value) {
    unsigned count = 0;
    unsigned bit;
    for (bit = 0; bit < 8u; bit++) count += (value >> bit) & 1u;
    return count;
}

/* Weight-3 subsets of `rows` rows in lexicographic order of their sorted row lists. */
static unsigned weight3_columns(unsigned rows, uint8_t *out, unsigned skip0, unsigned skip1, unsigned skip2) {
    unsigned n = 0;
    unsigned i, j, k;
    for (i = 0; i < rows; i++) {
        for (j = i + 1u; j < rows; j++) {
            for (k = j + 1u; k < rows; k++) {
                const unsigned mask = (1u << i) | (1u << j) | (1u << k);
                if (mask == skip0 || mask == skip1 || mask == skip2) continue;
                out[n++] = (uint8_t)mask;
            }
        }
    }
    return n;
}

static void build_tables(tx_secded_code *code) {
    unsigned byte, value, bit, s;
    for (byte = 0; byte < (unsigned)code->data_bits / 8u; byte++) {
        for (value = 0; value < 256u; value++) {
            uint8_t c = 0;
            for (bit = 0; bit < 8u; bit++) {
                if ((value >> bit) & 1u) c ^= code->columns[byte * 8u + bit];
            }
            code->byte_table[byte][value] = c;
        }
    }
    for (s = 0; s < 256u; s++) code->position_of[s] = -1;
    for (bit = 0; bit < code->code_bits; bit++) code->position_of[code->columns[bit]] = (int8_t)bit;
}

static void build_39(void) {
    unsigned n, j;
    code39.data_bits = 32;
    code39.check_bits = 7;
    code39.code_bits = 39;
    /* drop {0,5,6}, {1,5,6}, {2,3,4}: row weights 14,14,14,14,14,13,13 */
    n = weight3_columns(7, code39.columns, 0x61u, 0x62u, 0x1cu);
    for (j = 0; j < 7u; j++) code39.columns[n + j] = (uint8_t)(1u << j);
    build_tables(&code39);
}

static void build_72(void) {
    unsigned n, i, j;
    code72.data_bits = 64;
    code72.check_bits = 8;
    code72.code_bits = 72;
    n = weight3_columns(8, code72.columns, 0x100u, 0x100u, 0x100u);
    for (i = 0; i < 8u; i++) code72.columns[n + i] = (uint8_t)(((0x1fu << i) | (0x1fu >> (8u - i))) & 0xffu);
    for (j = 0; j < 8u; j++) code72.columns[64u + j] = (uint8_t)(1u << j);
    build_tables(&code72);
}

void tx_secded_init(void) {
    if (codes_ready) return;
    build_39();
    build_72();
    codes_ready = true;
}

const tx_secded_code *tx_secded_39_32(void) {
    return &code39;
}

const tx_secded_code *tx_secded_72_64(void) {
    return &code72;
}

uint8_t tx_secded_encode(const tx_secded_code *code, uint64_t data) {
    uint8_t c = 0;
    unsigned byte;
    for (byte = 0; byte < (unsigned)code->data_bits / 8u; byte++) c ^= code->byte_table[byte][(data >> (8u * byte)) & 0xffu];
    return c;
}

uint8_t tx_secded_syndrome(const tx_secded_code *code, uint64_t data, uint8_t check) {
    const uint8_t mask = (uint8_t)((1u << code->check_bits) - 1u);
    return (uint8_t)(tx_secded_encode(code, data) ^ (check & mask));
}

void tx_secded_decode(const tx_secded_code *code, uint64_t data, uint8_t check, tx_decode_outcome *out) {
    const uint8_t mask = (uint8_t)((1u << code->check_bits) - 1u);
    const uint64_t data_mask = code->data_bits == 64u ? ~(uint64_t)0 : 0xffffffffull;
    const uint8_t s = tx_secded_syndrome(code, data & data_mask, check);
    int position;
    out->syndrome = s;
    out->data = data & data_mask;
    out->check = (uint8_t)(check & mask);
    out->position = -1;
    out->even_syndrome = s != 0u && (tx_popcount8(s) & 1u) == 0u;
    if (s == 0u) {
        out->kind = TX_DECODE_CLEAN;
        return;
    }
    position = code->position_of[s];
    if (position < 0) {
        out->kind = TX_DECODE_UNCORRECTABLE;
        return;
    }
    out->position = (int16_t)position;
    if (position < (int)code->data_bits) {
        out->data ^= (uint64_t)1 << position;
        out->kind = TX_DECODE_CORRECTED_DATA;
    } else {
        out->check = (uint8_t)(out->check ^ (1u << (position - (int)code->data_bits)));
        out->kind = TX_DECODE_CORRECTED_CHECK;
    }
}
