/*
 * Big-endian (network order) byte helpers and float bit casts shared by the codecs.
 * Every wire field in docs/WIRE.md, docs/SERIAL.md and docs/RIG-PROTOCOL.md is big-endian.
 * Portable C99: static inline, no allocation, no loops.
 */
#ifndef TX_BYTES_H
#define TX_BYTES_H

#include <stdint.h>
#include <string.h>

/* Writes the low 16 bits of v at p[0..1], most significant byte first. */
static inline void tx_put_u16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes v at p[0..3], most significant byte first. */
static inline void tx_put_u32(uint8_t *p, uint32_t v) {
    tx_put_u16(p, v >> 16);
    tx_put_u16(p + 2, v & 0xffffu);
}

static inline uint16_t tx_get_u16(const uint8_t *p) {
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

static inline uint32_t tx_get_u32(const uint8_t *p) {
    return ((uint32_t)tx_get_u16(p) << 16) | tx_get_u16(p + 2);
}

/* IEEE 754 binary32 bit casts (memcpy: no aliasing or union type punning). */
static inline float tx_f32_from_bits(uint32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline uint32_t tx_f32_to_bits(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

#endif
