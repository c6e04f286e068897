/*
 * One control channel as a board runs it (docs/RIG-PROTOCOL.md). Portable: no OS calls. The
 * target feeds received bytes with tx_board_feed() and gets every output line through the
 * emit callback. All state lives in one tx_board, allocated by the caller (static on targets).
 */
#ifndef TX_BOARD_H
#define TX_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "e2e.h"
#include "frames.h"
#include "law.h"
#include "memory.h"
#include "registers.h"
#include "serial_line.h"

#define TX_SENSOR_STREAMS 6u /* IMU 1..3 rate and acceleration: stream 2*(imu-1) + (accel ? 1 : 0) */
#define TX_IMUS 3u
#define TX_BOARD_STATUS_BYTES 92u
#define TX_BOARD_TICK_BYTES 22u

typedef void (*tx_emit_fn)(void *ctx, const uint8_t *bytes, size_t length);

typedef struct tx_board tx_board;
/* Handles one decoded 'Q' request record (the rig command set: rig.h tx_rig_handle). */
typedef void (*tx_request_fn)(tx_board *b, const tx_record *request);

typedef struct {
    uint8_t channel;        /* 1 = A, 2 = B, 3 = C */
    tx_medium medium;       /* TX_MEDIUM_CAN or TX_MEDIUM_CAN_FD (frames travel in 'F' lines) */
    uint32_t link_id;       /* 24-bit serial link ID */
    uint32_t period_micros; /* control period: dt of the law = period_micros * 1e-6 s */
    uint16_t scrub_words;   /* scrubber budget per cycle */
} tx_board_config;

typedef struct {
    uint32_t e2e[6];           /* by tx_e2e_status code, every sensor frame checked */
    uint32_t bad_lines;        /* lines that failed to decode */
    uint32_t frames_ignored;   /* well-formed frames not for this board (other IDs, wrong medium) */
    uint32_t body_errors;      /* E2E OK but body out of range / reserved bits */
} tx_board_counters;

struct tx_board {
    tx_board_config config;
    tx_memory memory;
    tx_scrubber scrubber;
    tx_registers registers;
    tx_line_splitter splitter;
    tx_line_counters line_counters;
    tx_e2e_config sensor_config[TX_SENSOR_STREAMS];
    tx_e2e_check_state sensor_state[TX_SENSOR_STREAMS];
    tx_e2e_config command_config;
    tx_e2e_config status_config;
    uint32_t command_counter;
    uint32_t status_counter;
    bool arrived[TX_SENSOR_STREAMS];
    bool fresh[TX_SENSOR_STREAMS];
    tx_imu_triple samples[TX_SENSOR_STREAMS];
    uint8_t stream_status[TX_SENSOR_STREAMS];
    double consolidated[6];
    uint32_t cycles;
    uint32_t cycle_uncorrectable_reads;
    uint8_t health;
    bool engaged;
    uint8_t last_law_status;
    uint8_t last_used_mask;
    int16_t last_deflection_mrad[TX_ACTUATOR_COUNT];
    tx_board_counters counters;
    bool hung;
    tx_emit_fn emit;
    void *emit_ctx;
    tx_request_fn on_request; /* NULL: requests are ignored */
    tx_record record;
    uint8_t out_line[TX_LINE_BUFFER_BYTES];
};

/* Initialises tables, the control memory (defaults), registers and E2E states. */
void tx_board_init(tx_board *b, const tx_board_config *config, tx_emit_fn emit, void *emit_ctx);
/* Who answers 'Q' request lines (targets pass tx_rig_handle; board.c does not know the rig command set). */
void tx_board_set_request_handler(tx_board *b, tx_request_fn on_request);
/* RESET: everything but the line counters back to the state after init. */
void tx_board_reset(tx_board *b);
/* Feeds received bytes (any chunking). Ignores everything once hung. */
void tx_board_feed(tx_board *b, const uint8_t *bytes, size_t length);
/* One control cycle (the TICK command); writes the TX_BOARD_TICK_BYTES report into `report`. */
void tx_board_cycle(tx_board *b, uint8_t *report);
/* Sends one record line of `type` with the next counter of that type. */
void tx_board_send(tx_board *b, uint8_t type, const uint8_t *body, size_t length);
/* Writes the TX_BOARD_STATUS_BYTES STATUS payload. */
void tx_board_status(const tx_board *b, uint8_t *out);

#endif
