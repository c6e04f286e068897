/*
 * Protected memory image (SEC-DED (39,32), one code word per 32-bit little-endian data word,
 * interleave factor 1) and its scrubber: the C twin of src/core/memory/{memory-image,scrubber}.ts
 * for the board's control state. Storage is a fixed array; TX_MEMORY_WORDS_MAX bounds it.
 */
#ifndef TX_MEMORY_H
#define TX_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secded.h"

#define TX_MEMORY_WORDS_MAX 128u
#define TX_MEMORY_WORD_BYTES 4u

typedef enum { TX_READ_OK = 0, TX_READ_CORRECTED = 1, TX_READ_UNCORRECTABLE = 2 } tx_read_status;

typedef struct {
    uint32_t data[TX_MEMORY_WORDS_MAX];
    uint8_t check[TX_MEMORY_WORDS_MAX];
    uint16_t size_bytes;
    uint16_t word_count;
    const tx_secded_code *code;
    tx_read_status last_read_status;
    int32_t last_fault_word; /* first uncorrectable word of the last read, or -1 */
    uint32_t read_corrected;
    uint32_t read_uncorrectable;
    uint32_t flips_injected;
} tx_memory;

/* A zeroed image of `size_bytes` (<= TX_MEMORY_WORDS_MAX * 4); every word clean. */
void tx_memory_init(tx_memory *m, uint16_t size_bytes);

/* Reads bytes, correcting on the way (sets last_read_status / last_fault_word). */
tx_read_status tx_memory_read(tx_memory *m, uint16_t address, uint16_t length, uint8_t *out);
/* Writes bytes; a partly covered uncorrectable word refuses the whole write (returns false). */
bool tx_memory_write(tx_memory *m, uint16_t address, const uint8_t *data, uint16_t length);
uint32_t tx_memory_read_u32(tx_memory *m, uint16_t address);
bool tx_memory_write_u32(tx_memory *m, uint16_t address, uint32_t value);
float tx_memory_read_f32(tx_memory *m, uint16_t address);
bool tx_memory_write_f32(tx_memory *m, uint16_t address, float value);
/* Flips code-word bit `bit` (0..38) of word `word`. */
void tx_memory_flip(tx_memory *m, uint16_t word, uint8_t bit);
/* Decodes word `word`, writes a correction back; outcome in `out`. */
void tx_memory_repair_word(tx_memory *m, uint16_t word, tx_decode_outcome *out);
/* First word in [from, to) with a non-zero syndrome, or `to`. */
uint16_t tx_memory_find_dirty(const tx_memory *m, uint16_t from, uint16_t to);
bool tx_memory_in_range(const tx_memory *m, uint32_t address, uint32_t length);
/*
 * CRC-32/ISCSI (the host's MEMORY_IMAGE_CRC) of the image's data bytes 0..size_bytes, read
 * through the code (corrects on the way, like tx_memory_read): the check of a state transfer.
 * Writes *crc and returns the read status; on TX_READ_UNCORRECTABLE *crc is not written.
 */
tx_read_status tx_memory_data_crc32c(tx_memory *m, uint32_t *crc);

typedef struct {
    uint16_t words_scanned;
    uint16_t corrected;
    uint16_t uncorrectable;
    bool pass_completed;
    uint16_t cursor;
} tx_scrub_report;

typedef struct {
    tx_memory *image;
    uint16_t cursor;
    uint32_t words_scanned;
    uint32_t corrected_data;
    uint32_t corrected_check;
    uint32_t uncorrectable_events;
    uint32_t full_passes;
    int32_t last_uncorrectable_word; /* -1 when none seen */
    uint8_t last_uncorrectable_syndrome;
} tx_scrubber;

void tx_scrubber_init(tx_scrubber *s, tx_memory *image);
/* Scrubs up to `word_budget` words (at most one whole image) from the cursor, wrapping. */
void tx_scrubber_step(tx_scrubber *s, uint16_t word_budget, tx_scrub_report *report);

#endif
