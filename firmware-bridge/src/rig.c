/* Rig command handler; see include/rig.h and docs/RIG-PROTOCOL.md. */
#include "rig.h"

#include <string.h>

#include "bytes.h"
#include "tx_assert.h"

#define ANSWER_HEADER_BYTES 3u

typedef struct {
    uint8_t body[TX_BODY_BYTES_MAX];
    size_t length; /* payload bytes after opcode, tag, status */
} answer;

static uint8_t *payload(answer *a) {
    return a->body + ANSWER_HEADER_BYTES;
}

static uint8_t peek_mem(tx_board *b, uint16_t address, uint8_t count, answer *a) {
    if (count == 0u || count > TX_PEEK_MEM_BYTES_MAX || !tx_memory_in_range(&b->memory, address, count)) return TX_RIG_BAD_ARGUMENT;
    if (tx_memory_read(&b->memory, address, count, payload(a)) == TX_READ_UNCORRECTABLE) {
        tx_put_u16(payload(a), (uint32_t)b->memory.last_fault_word);
        a->length = 2;
        return TX_RIG_UNCORRECTABLE;
    }
    a->length = count;
    return TX_RIG_OK;
}

static uint8_t peek_raw(const tx_board *b, uint16_t word, uint8_t count, answer *a) {
    unsigned i;
    if (count == 0u || count > TX_PEEK_RAW_WORDS_MAX || (uint32_t)word + count > b->memory.word_count) return TX_RIG_BAD_ARGUMENT;
    for (i = 0; i < count; i++) {
        tx_put_u32(payload(a) + 5u * i, b->memory.data[word + i]);
        payload(a)[5u * i + 4u] = b->memory.check[word + i];
    }
    a->length = 5u * count;
    return TX_RIG_OK;
}

static uint8_t peek_reg(const tx_board *b, uint16_t index, uint8_t count, answer *a) {
    unsigned i, copy;
    if (count == 0u || (uint32_t)index + count > b->registers.count) return TX_RIG_BAD_ARGUMENT;
    for (i = 0; i < count; i++) {
        for (copy = 0; copy < 3u; copy++) tx_put_u32(payload(a) + 12u * i + 4u * copy, tx_registers_peek_copy(&b->registers, (uint8_t)(index + i), (uint8_t)copy));
    }
    a->length = 12u * count;
    return TX_RIG_OK;
}

/* PEEK: space u8, address u16, count u8. */
static uint8_t do_peek(tx_board *b, const uint8_t *args, size_t n, answer *a) {
    uint16_t address;
    if (n != 4u) return TX_RIG_BAD_LENGTH;
    address = tx_get_u16(args + 1);
    switch (args[0]) {
    case TX_SPACE_MEM: return peek_mem(b, address, args[3], a);
    case TX_SPACE_RAW: return peek_raw(b, address, args[3], a);
    case TX_SPACE_REG: return peek_reg(b, address, args[3], a);
    default: return TX_RIG_BAD_ARGUMENT;
    }
}

/* POKE: space u8, address u16, data (MEM: 1..128 bytes; REG: 4 bytes per register, big-endian). */
static uint8_t do_poke(tx_board *b, const uint8_t *args, size_t n, answer *a) {
    uint16_t address;
    size_t count, i;
    if (n < 4u) return TX_RIG_BAD_LENGTH;
    address = tx_get_u16(args + 1);
    count = n - 3u;
    if (args[0] == TX_SPACE_MEM) {
        if (count > TX_PEEK_MEM_BYTES_MAX || !tx_memory_in_range(&b->memory, address, (uint32_t)count)) return TX_RIG_BAD_ARGUMENT;
        if (tx_memory_write(&b->memory, address, args + 3, (uint16_t)count)) return TX_RIG_OK;
        tx_put_u16(payload(a), (uint32_t)b->memory.last_fault_word);
        a->length = 2;
        return TX_RIG_UNCORRECTABLE;
    }
    if (args[0] != TX_SPACE_REG) return TX_RIG_BAD_ARGUMENT;
    if (count % 4u != 0u) return TX_RIG_BAD_LENGTH;
    if ((uint32_t)address + count / 4u > b->registers.count) return TX_RIG_BAD_ARGUMENT;
    for (i = 0; i < count / 4u; i++) {
        tx_registers_write(&b->registers, (uint8_t)(address + i), tx_get_u32(args + 3u + 4u * i));
    }
    return TX_RIG_OK;
}

/* FLIP: target u8, index u16, bit u8, copy u8. */
static uint8_t do_flip(tx_board *b, const uint8_t *args, size_t n) {
    uint16_t index;
    uint8_t bit, copy;
    if (n != 5u) return TX_RIG_BAD_LENGTH;
    index = tx_get_u16(args + 1);
    bit = args[3];
    copy = args[4];
    if (args[0] == TX_FLIP_MEM) {
        if (index >= b->memory.word_count || bit >= b->memory.code->code_bits || copy != 0u) return TX_RIG_BAD_ARGUMENT;
        tx_memory_flip(&b->memory, index, bit);
        return TX_RIG_OK;
    }
    if (args[0] != TX_FLIP_REG || index >= b->registers.count || bit >= 32u || copy >= 3u) return TX_RIG_BAD_ARGUMENT;
    tx_registers_flip(&b->registers, (uint8_t)index, copy, bit);
    return TX_RIG_OK;
}

/* SCRUB: words u16 (0 = one whole pass). */
static uint8_t do_scrub(tx_board *b, const uint8_t *args, size_t n, answer *a) {
    tx_scrub_report r;
    uint16_t words;
    if (n != 2u) return TX_RIG_BAD_LENGTH;
    words = tx_get_u16(args);
    tx_scrubber_step(&b->scrubber, words == 0u ? b->memory.word_count : words, &r);
    tx_put_u16(payload(a), r.words_scanned);
    tx_put_u16(payload(a) + 2, r.corrected);
    tx_put_u16(payload(a) + 4, r.uncorrectable);
    payload(a)[6] = r.pass_completed ? 1u : 0u;
    tx_put_u16(payload(a) + 7, r.cursor);
    a->length = 9;
    return TX_RIG_OK;
}

/*
 * VERIFY: expected CRC u32 (the voted state's, after a state transfer by POKE). The board
 * computes CRC-32/ISCSI over the memory image it holds, read through the code, and answers
 * it with the verdict: accepted (1) only when it equals the expected CRC.
 */
static uint8_t do_verify(tx_board *b, const uint8_t *args, size_t n, answer *a) {
    uint32_t crc = 0;
    if (n != 4u) return TX_RIG_BAD_LENGTH;
    if (tx_memory_data_crc32c(&b->memory, &crc) == TX_READ_UNCORRECTABLE) {
        tx_put_u16(payload(a), (uint32_t)b->memory.last_fault_word);
        a->length = 2;
        return TX_RIG_UNCORRECTABLE;
    }
    tx_put_u32(payload(a), crc);
    payload(a)[4] = crc == tx_get_u32(args) ? 1u : 0u;
    a->length = TX_VERIFY_BYTES;
    return TX_RIG_OK;
}

static uint8_t dispatch(tx_board *b, uint8_t opcode, const uint8_t *args, size_t n, answer *a) {
    switch (opcode) {
    case TX_RIG_STATUS:
        if (n != 0u) return TX_RIG_BAD_LENGTH;
        tx_board_status(b, payload(a));
        a->length = TX_BOARD_STATUS_BYTES;
        return TX_RIG_OK;
    case TX_RIG_PEEK: return do_peek(b, args, n, a);
    case TX_RIG_POKE: return do_poke(b, args, n, a);
    case TX_RIG_FLIP: return do_flip(b, args, n);
    case TX_RIG_SCRUB: return do_scrub(b, args, n, a);
    case TX_RIG_RESET:
        if (n != 0u) return TX_RIG_BAD_LENGTH;
        tx_board_reset(b);
        return TX_RIG_OK;
    case TX_RIG_HANG:
        return n == 0u ? TX_RIG_OK : TX_RIG_BAD_LENGTH;
    case TX_RIG_TICK:
        if (n != 0u) return TX_RIG_BAD_LENGTH;
        tx_board_cycle(b, payload(a));
        a->length = TX_BOARD_TICK_BYTES;
        return TX_RIG_OK;
    case TX_RIG_VERIFY: return do_verify(b, args, n, a);
    default: return TX_RIG_UNKNOWN_OPCODE;
    }
}

void tx_rig_handle(tx_board *b, const tx_record *request) {
    static answer a; /* one answer at a time; static keeps the 250-byte buffer off small stacks */
    const uint8_t opcode = request->body[0];
    TX_ASSERT(request->body_length >= 2u);
    a.length = 0;
    a.body[0] = opcode;
    a.body[1] = request->body[1];
    a.body[2] = dispatch(b, opcode, request->body + 2, (size_t)request->body_length - 2u, &a);
    if (a.body[2] != TX_RIG_OK && a.body[2] != TX_RIG_UNCORRECTABLE) a.length = 0;
    TX_ASSERT(a.length <= TX_BODY_BYTES_MAX - ANSWER_HEADER_BYTES);
    tx_board_send(b, TX_TYPE_ANSWER, a.body, ANSWER_HEADER_BYTES + a.length);
    if (opcode == TX_RIG_HANG && a.body[2] == TX_RIG_OK) b->hung = true;
}
