/* The channel loop of a board; see include/board.h and docs/RIG-PROTOCOL.md. Portable C99. */
#include "board.h"

#include <string.h>

#include "bytes.h"
#include "crc.h"
#include "secded.h"
#include "tx_assert.h"

#define RAD_PER_DEG (3.14159265358979323846 / 180.0)
#define MRAD_PER_RAD 1000.0
#define RAD_PER_S_PER_MRAD_PER_S 0.001
#define M_PER_S2_PER_CM_PER_S2 0.01

/* ---- memory and register ports of the law ---- */

static float mem_read(void *ctx, uint16_t address) {
    tx_board *b = (tx_board *)ctx;
    const float value = tx_memory_read_f32(&b->memory, address);
    if (b->memory.last_read_status == TX_READ_UNCORRECTABLE) b->cycle_uncorrectable_reads++;
    return value;
}

static void mem_write(void *ctx, uint16_t address, float value) {
    tx_board *b = (tx_board *)ctx;
    (void)tx_memory_write_f32(&b->memory, address, value); /* aligned whole words never fail */
}

static float reg_read(void *ctx, uint8_t index) {
    return tx_registers_read_f32(&((tx_board *)ctx)->registers, index);
}

static void reg_write(void *ctx, uint8_t index, float value) {
    tx_registers_write_f32(&((tx_board *)ctx)->registers, index, value);
}

/* ---- set-up ---- */

static void load_defaults(tx_board *b) {
    unsigned slot;
    tx_memory_init(&b->memory, TX_CONTROL_MEMORY_BYTES);
    for (slot = 0; slot < TX_SLOT_COUNT; slot++) (void)tx_memory_write_u32(&b->memory, (uint16_t)(4u * slot), TX_CONTROL_DEFAULTS[slot]);
    tx_scrubber_init(&b->scrubber, &b->memory);
    tx_registers_init(&b->registers, TX_REG_COUNT);
}

void tx_board_reset(tx_board *b) {
    unsigned s;
    load_defaults(b);
    for (s = 0; s < TX_SENSOR_STREAMS; s++) {
        const tx_frame_kind kind = (s & 1u) != 0u ? TX_KIND_IMU_ACCEL : TX_KIND_IMU_RATE;
        tx_e2e_config_of(kind, (uint8_t)(s / 2u + 1u), b->config.medium, &b->sensor_config[s]);
        tx_e2e_check_init(&b->sensor_config[s], &b->sensor_state[s]);
        b->arrived[s] = false;
        b->fresh[s] = false;
        b->stream_status[s] = TX_E2E_NONEWDATA;
    }
    tx_e2e_config_of(TX_KIND_COMMAND, b->config.channel, b->config.medium, &b->command_config);
    tx_e2e_config_of(TX_KIND_STATUS, b->config.channel, b->config.medium, &b->status_config);
    b->command_counter = 0;
    b->status_counter = 0;
    memset(b->consolidated, 0, sizeof b->consolidated);
    memset(b->last_deflection_mrad, 0, sizeof b->last_deflection_mrad);
    memset(&b->counters, 0, sizeof b->counters);
    b->cycles = 0;
    b->health = 0;
    b->engaged = false;
    b->last_law_status = TX_LAW_OK;
    b->last_used_mask = 0;
    b->hung = false;
}

void tx_board_init(tx_board *b, const tx_board_config *config, tx_emit_fn emit, void *emit_ctx) {
    TX_ASSERT(config->channel >= 1u && config->channel <= 3u);
    TX_ASSERT(config->medium == TX_MEDIUM_CAN || config->medium == TX_MEDIUM_CAN_FD);
    TX_ASSERT(config->period_micros > 0u && config->period_micros <= 100000u);
    TX_ASSERT(config->link_id <= 0xffffffu);
    tx_crc_tables_init();
    tx_secded_init();
    memset(b, 0, sizeof *b);
    b->config = *config;
    b->emit = emit;
    b->emit_ctx = emit_ctx;
    tx_line_splitter_init(&b->splitter);
    tx_board_reset(b);
}

void tx_board_set_request_handler(tx_board *b, tx_request_fn on_request) {
    b->on_request = on_request;
}

/* ---- output ---- */

void tx_board_send(tx_board *b, uint8_t type, const uint8_t *body, size_t length) {
    const uint16_t counter = tx_line_counter_take(&b->line_counters, type);
    const size_t n = tx_line_encode(type, body, length, counter, b->config.link_id, b->out_line);
    b->emit(b->emit_ctx, b->out_line, n);
}

static void send_frame(tx_board *b, uint16_t can_id, const uint8_t *frame, uint8_t length) {
    uint8_t body[TX_FRAME_BODY_HEADER_BYTES + TX_FRAME_BYTES_MAX];
    body[0] = b->config.medium == TX_MEDIUM_CAN_FD ? TX_FRAME_FLAG_FD : 0u;
    body[1] = 0;
    body[2] = 0;
    body[3] = (uint8_t)(can_id >> 8);
    body[4] = (uint8_t)can_id;
    body[5] = length;
    memcpy(body + TX_FRAME_BODY_HEADER_BYTES, frame, length);
    tx_board_send(b, TX_TYPE_FRAME, body, TX_FRAME_BODY_HEADER_BYTES + (size_t)length);
}

/* ---- input ---- */

static int stream_of(uint32_t can_id) {
    if (can_id >= 0x121u && can_id <= 0x123u) return (int)(2u * (can_id - 0x121u));
    if (can_id >= 0x131u && can_id <= 0x133u) return (int)(2u * (can_id - 0x131u) + 1u);
    return -1;
}

static void on_frame(tx_board *b, const tx_record *r) {
    const uint8_t flags = r->body[0];
    const uint32_t id = tx_get_u32(r->body + 1);
    const uint8_t length = r->body[5];
    const uint8_t *frame = r->body + TX_FRAME_BODY_HEADER_BYTES;
    const uint8_t wanted = b->config.medium == TX_MEDIUM_CAN_FD ? TX_FRAME_FLAG_FD : 0u;
    const int s = stream_of(id);
    tx_e2e_status status;
    if (s < 0 || (flags & (uint8_t)~TX_FRAME_FLAG_BRS) != wanted) {
        b->counters.frames_ignored++;
        return;
    }
    status = tx_e2e_check(&b->sensor_config[s], &b->sensor_state[s], frame, length);
    b->counters.e2e[status]++;
    b->arrived[s] = true;
    b->stream_status[s] = (uint8_t)status;
    if (status != TX_E2E_OK) return;
    if (tx_decode_imu(frame + tx_medium_body_offset(b->config.medium), &b->samples[s]) != TX_BODY_OK) {
        b->counters.body_errors++;
        return;
    }
    b->fresh[s] = true;
}

static void on_line(tx_board *b, const uint8_t *line, size_t length) {
    const tx_line_status status = tx_line_decode(line, length, b->config.link_id, &b->record);
    if (status == TX_LINE_COMMENT) return;
    if (status != TX_LINE_OK) {
        b->counters.bad_lines++;
        return;
    }
    if (b->record.type == TX_TYPE_FRAME) on_frame(b, &b->record);
    else if (b->record.type == TX_TYPE_REQUEST && b->on_request != NULL) b->on_request(b, &b->record);
    /* 'A' and 'E' lines are board-to-host only: ignored. */
}

void tx_board_feed(tx_board *b, const uint8_t *bytes, size_t length) {
    size_t i, line_length;
    for (i = 0; i < length && !b->hung; i++) {
        if (tx_line_splitter_push(&b->splitter, bytes[i], &line_length)) on_line(b, b->splitter.buffer, line_length);
    }
}

/* ---- the cycle ---- */

/* Mid-value select of `count` values (select.ts midValueSelect): median, or mean of the middle two. */
static double mid_value(double *v, unsigned count) {
    unsigned i, j;
    for (i = 1; i < count; i++) {
        for (j = i; j > 0u && v[j - 1u] > v[j]; j--) {
            const double t = v[j];
            v[j] = v[j - 1u];
            v[j - 1u] = t;
        }
    }
    return (v[(count - 1u) >> 1] + v[count >> 1]) / 2;
}

static int16_t axis_value(const tx_imu_triple *t, unsigned axis) {
    return axis == 0u ? t->x : axis == 1u ? t->y : t->z;
}

/* Returns the used-IMU mask; writes consolidated[0..5] (held when no IMU is usable). */
static uint8_t consolidate(tx_board *b) {
    uint8_t mask = 0;
    unsigned imu, axis, count = 0;
    double v[TX_IMUS];
    for (imu = 0; imu < TX_IMUS; imu++) {
        const tx_imu_triple *rate = &b->samples[2u * imu];
        const tx_imu_triple *accel = &b->samples[2u * imu + 1u];
        const bool ok = b->fresh[2u * imu] && b->fresh[2u * imu + 1u];
        if (ok && ((rate->sensor_status | accel->sensor_status) & TX_SENSOR_STATUS_FAULT) == 0u) mask = (uint8_t)(mask | (1u << imu));
    }
    for (axis = 0; axis < 6u; axis++) {
        const double scale = axis < 3u ? RAD_PER_S_PER_MRAD_PER_S : M_PER_S2_PER_CM_PER_S2;
        count = 0;
        for (imu = 0; imu < TX_IMUS; imu++) {
            if ((mask >> imu) & 1u) v[count++] = (double)axis_value(&b->samples[2u * imu + (axis < 3u ? 0u : 1u)], axis % 3u) * scale;
        }
        if (count > 0u) b->consolidated[axis] = mid_value(v, count);
    }
    return mask;
}

static void finish_health(tx_board *b, tx_law_status law, uint8_t mask) {
    const bool lost_memory = b->cycle_uncorrectable_reads > 0u;
    b->last_law_status = (uint8_t)law;
    b->last_used_mask = mask;
    b->engaged = law == TX_LAW_OK && mask != 0u && !lost_memory;
    if (law == TX_LAW_BAD_LAYOUT) b->health = 4;
    else b->health = (law != TX_LAW_OK || mask == 0u || lost_memory) ? 1u : 0u;
}

static void send_command(tx_board *b, const double out_deg[4]) {
    uint8_t frame[TX_FRAME_BYTES_MAX];
    tx_command command;
    unsigned k;
    memset(frame, 0, sizeof frame);
    command.engaged = b->engaged;
    for (k = 0; k < TX_ACTUATOR_COUNT; k++) {
        command.deflection_mrad[k] = (int16_t)tx_quantize(out_deg[k] * RAD_PER_DEG * MRAD_PER_RAD, 1.0, TX_INT12_LIMIT);
        b->last_deflection_mrad[k] = command.deflection_mrad[k];
    }
    tx_encode_command(&command, frame + tx_medium_body_offset(b->config.medium));
    tx_e2e_protect(&b->command_config, &b->command_counter, frame);
    send_frame(b, tx_can_id(TX_KIND_COMMAND, b->config.channel), frame, tx_medium_frame_bytes(b->config.medium));
}

static void send_status(tx_board *b) {
    uint8_t frame[TX_FRAME_BYTES_MAX];
    tx_channel_status status;
    memset(frame, 0, sizeof frame);
    status.health = b->health;
    status.scrub_corrected = (uint16_t)(b->scrubber.corrected_data + b->scrubber.corrected_check);
    status.scrub_uncorrectable = (uint8_t)b->scrubber.uncorrectable_events;
    status.scrub_passes = (uint8_t)b->scrubber.full_passes;
    status.clock_offset_micros = 0;
    tx_encode_status(&status, frame + tx_medium_body_offset(b->config.medium));
    tx_e2e_protect(&b->status_config, &b->status_counter, frame);
    send_frame(b, tx_can_id(TX_KIND_STATUS, b->config.channel), frame, tx_medium_frame_bytes(b->config.medium));
}

static void tick_report(const tx_board *b, uint32_t cycle, uint8_t *p) {
    unsigned i;
    p[0] = (uint8_t)(cycle >> 24);
    p[1] = (uint8_t)(cycle >> 16);
    p[2] = (uint8_t)(cycle >> 8);
    p[3] = (uint8_t)cycle;
    p[4] = b->last_law_status;
    p[5] = b->last_used_mask;
    p[6] = b->health;
    p[7] = b->engaged ? 1u : 0u;
    for (i = 0; i < TX_SENSOR_STREAMS; i++) p[8u + i] = b->stream_status[i];
    for (i = 0; i < TX_ACTUATOR_COUNT; i++) {
        const uint16_t u = (uint16_t)b->last_deflection_mrad[i];
        p[14u + 2u * i] = (uint8_t)(u >> 8);
        p[15u + 2u * i] = (uint8_t)u;
    }
}

void tx_board_cycle(tx_board *b, uint8_t *report) {
    const tx_control_memory mem = {b, mem_read, mem_write};
    const tx_work_registers regs = {b, reg_read, reg_write};
    tx_scrub_report scrub;
    double out_deg[4];
    tx_law_status law;
    uint8_t mask;
    unsigned s;
    for (s = 0; s < TX_SENSOR_STREAMS; s++) {
        if (!b->arrived[s]) b->stream_status[s] = TX_E2E_NONEWDATA;
    }
    mask = consolidate(b);
    b->cycle_uncorrectable_reads = 0;
    law = tx_law_step(&mem, &regs, b->consolidated, (double)b->config.period_micros * 1e-6, out_deg);
    finish_health(b, law, mask);
    send_command(b, out_deg);
    (void)tx_registers_refresh_all(&b->registers);
    tx_scrubber_step(&b->scrubber, b->config.scrub_words, &scrub);
    send_status(b);
    tick_report(b, b->cycles, report);
    b->cycles++;
    for (s = 0; s < TX_SENSOR_STREAMS; s++) {
        b->arrived[s] = false;
        b->fresh[s] = false;
    }
}

void tx_board_status(const tx_board *b, uint8_t *p) {
    const tx_scrubber *s = &b->scrubber;
    memset(p, 0, TX_BOARD_STATUS_BYTES);
    p[0] = 1; /* layout version */
    p[1] = b->config.channel;
    p[2] = (uint8_t)b->config.medium;
    p[3] = b->health;
    p[4] = b->engaged ? 1u : 0u;
    p[5] = b->last_law_status;
    p[6] = b->last_used_mask;
    p[7] = b->registers.count;
    tx_put_u32(p + 8, b->cycles);
    p[12] = (uint8_t)(b->memory.size_bytes >> 8);
    p[13] = (uint8_t)b->memory.size_bytes;
    p[14] = (uint8_t)(b->memory.word_count >> 8);
    p[15] = (uint8_t)b->memory.word_count;
    p[16] = b->memory.code->code_bits;
    p[18] = (uint8_t)(s->cursor >> 8);
    p[19] = (uint8_t)s->cursor;
    tx_put_u32(p + 20, s->words_scanned);
    tx_put_u32(p + 24, s->corrected_data + s->corrected_check);
    tx_put_u32(p + 28, s->uncorrectable_events);
    tx_put_u32(p + 32, s->full_passes);
    tx_put_u32(p + 36, b->memory.read_corrected);
    tx_put_u32(p + 40, b->memory.read_uncorrectable);
    tx_put_u32(p + 44, b->memory.flips_injected);
    tx_put_u32(p + 48, b->registers.masked_disagreements);
    tx_put_u32(p + 52, b->registers.masked_bits);
    tx_put_u32(p + 56, b->registers.flips_injected);
    tx_put_u32(p + 60, b->counters.e2e[TX_E2E_OK]);
    tx_put_u32(p + 64, b->counters.e2e[TX_E2E_REPEATED]);
    tx_put_u32(p + 68, b->counters.e2e[TX_E2E_WRONGSEQUENCE]);
    tx_put_u32(p + 72, b->counters.e2e[TX_E2E_ERROR]);
    tx_put_u32(p + 76, b->counters.bad_lines);
    tx_put_u32(p + 80, b->splitter.overflows);
    tx_put_u32(p + 84, b->config.period_micros);
    tx_put_u32(p + 88, (uint32_t)s->last_uncorrectable_word);
}
