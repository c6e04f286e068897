/*
 * The board on an STM32F405/F407 (Cortex-M4F): the platform layer (platform.c) under the
 * shared channel code (board.c, rig.c — the same as the host build). Start-up: reset flags,
 * clocks (168 MHz from HSE via the PLL, or a reported fallback), USART2 115200 8N1 on PA2/PA3,
 * SysTick 1 kHz, the independent watchdog; then one boot comment line and the main loop:
 * drain the RX ring into tx_board_feed(); kick the watchdog once per SysTick millisecond, so
 * a stopped time base (interrupts dead) resets the board as a stuck loop does.
 *
 * Build-time choices (Makefile): TX_CHANNEL 1..3 (CHANNEL=A|B|C), TX_HSE_HZ (HSE_HZ=...),
 * TX_FAULT_TEST (the qemu fault image: faults on purpose right after the boot line).
 */
#include <stdint.h>

#include "board.h"
#include "platform.h"
#include "rig.h"
#include "stm32f4.h"
#include "tx_assert.h"

#ifndef TX_CHANNEL
#define TX_CHANNEL 1
#endif
#if TX_CHANNEL < 1 || TX_CHANNEL > 3
#error "TX_CHANNEL must be 1 (A), 2 (B) or 3 (C)"
#endif

#define FEED_CHUNK_BYTES 64u

static tx_board board;

/* A failed assertion: one comment line, then reset (the host build prints and aborts). */
void tx_assert_failed(const char *file, int line, const char *expression) {
    tx_uart_text("\n# ASSERT ");
    tx_uart_text(file);
    tx_uart_text(":");
    tx_uart_dec32((uint32_t)line);
    tx_uart_text(" ");
    tx_uart_text(expression);
    tx_uart_text("\n");
    tx_system_reset();
}

static void uart_emit(void *ctx, const uint8_t *bytes, size_t length) {
    (void)ctx;
    tx_uart_write(bytes, length);
}

static const char *clock_name(tx_clock_source source) {
    switch (source) {
    case TX_CLOCK_PLL_HSE: return "pll-hse";
    case TX_CLOCK_PLL_HSI: return "pll-hsi";
    case TX_CLOCK_HSI: return "hsi";
    }
    return "?";
}

/* "# BOOT triplex-board cortex-m channel A clock pll-hse sysclk 168000000 reset 14000000" */
static void boot_line(const tx_clocks *clocks, uint32_t reset_flags) {
    static const char channel_text[2] = {(char)('A' + TX_CHANNEL - 1), '\0'};
    tx_uart_text("\n# BOOT triplex-board cortex-m channel ");
    tx_uart_text(channel_text);
    tx_uart_text(" clock ");
    tx_uart_text(clock_name(clocks->source));
    tx_uart_text(" sysclk ");
    tx_uart_dec32(clocks->sysclk_hz);
    tx_uart_text(" reset ");
    tx_uart_hex32(reset_flags);
    tx_uart_text("\n");
}

#ifdef TX_FAULT_TEST
/* An undefined instruction: a UsageFault (UNDEFINSTR), escalated to HardFault (FORCED). */
static void provoke_fault(void) {
    __asm__ volatile("udf #0x42");
}
#endif

int main(void) {
    tx_board_config config;
    uint8_t chunk[FEED_CHUNK_BYTES];
    uint32_t kicked_millis = 0;
    const uint32_t reset_flags = tx_reset_flags();
    const tx_clocks clocks = tx_clock_init();
    SCB_CCR |= SCB_CCR_DIV_0_TRP; /* an integer division by zero faults instead of giving 0 */
    tx_uart_init(&clocks);
    tx_systick_init(&clocks);
    tx_watchdog_init();
    config.channel = TX_CHANNEL;
    config.medium = TX_MEDIUM_CAN;
    config.link_id = TX_LINK_ID_DEFAULT;
    config.period_micros = 4000;
    config.scrub_words = 8;
    tx_board_init(&board, &config, uart_emit, 0);
    tx_board_set_request_handler(&board, tx_rig_handle);
    boot_line(&clocks, reset_flags);
#ifdef TX_FAULT_TEST
    provoke_fault();
#endif
    for (;;) {
        const size_t n = tx_uart_take(chunk, sizeof chunk);
        if (n > 0u) tx_board_feed(&board, chunk, n);
        if (tx_millis() != kicked_millis) {
            kicked_millis = tx_millis();
            tx_watchdog_kick();
        }
    }
}
