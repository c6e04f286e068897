/*
 * Triplicated register image (TMR), the C twin of src/core/memory/register-image.ts: a read
 * takes the bitwise majority of three copies and refreshes disagreeing copies.
 */
#ifndef TX_REGISTERS_H
#define TX_REGISTERS_H

#include <stdint.h>

#define TX_REGISTERS_MAX 32u

typedef struct {
    uint32_t copies[3][TX_REGISTERS_MAX];
    uint8_t count;
    uint32_t reads;
    uint32_t refreshes;
    uint32_t masked_disagreements;
    uint32_t masked_bits;
    uint32_t copy_repairs[3];
    uint32_t flips_injected;
} tx_registers;

void tx_registers_init(tx_registers *r, uint8_t count);
uint32_t tx_registers_read(tx_registers *r, uint8_t index);
void tx_registers_write(tx_registers *r, uint8_t index, uint32_t value);
float tx_registers_read_f32(tx_registers *r, uint8_t index);
void tx_registers_write_f32(tx_registers *r, uint8_t index, float value);
void tx_registers_flip(tx_registers *r, uint8_t index, uint8_t copy, uint8_t bit);
uint32_t tx_registers_peek_copy(const tx_registers *r, uint8_t index, uint8_t copy);
/* Votes and refreshes every register; returns how many had disagreeing copies. */
uint32_t tx_registers_refresh_all(tx_registers *r);

#endif
