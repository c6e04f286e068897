/*
 * The board on a Cortex-M4F (STM32F4-class): polls a UART and runs the channel (board.c).
 * The UART is a register-level stub for USART2 (PA2/PA3 on most STM32F4 boards); clocks,
 * pins and baud rate are left to the porting step (README.md, "Porting").
 */
#include <stdint.h>

#include "board.h"
#include "rig.h"
#include "tx_assert.h"

#define USART2_BASE 0x40004400u
#define USART_SR (*(volatile uint32_t *)(USART2_BASE + 0x00u))
#define USART_DR (*(volatile uint32_t *)(USART2_BASE + 0x04u))
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define UART_SPIN_MAX 100000u

static tx_board board;

void tx_assert_failed(const char *file, int line, const char *expression) {
    (void)file;
    (void)line;
    (void)expression;
    for (;;) {
        __asm__ volatile("bkpt #1"); /* a watchdog resets the board */
    }
}

static void uart_emit(void *ctx, const uint8_t *bytes, size_t length) {
    size_t i;
    (void)ctx;
    for (i = 0; i < length; i++) {
        uint32_t spin = 0;
        while ((USART_SR & USART_SR_TXE) == 0u && spin < UART_SPIN_MAX) spin++;
        USART_DR = bytes[i];
    }
}

int main(void) {
    tx_board_config config;
    config.channel = 1;
    config.medium = TX_MEDIUM_CAN;
    config.link_id = TX_LINK_ID_DEFAULT;
    config.period_micros = 4000;
    config.scrub_words = 8;
    tx_board_init(&board, &config, uart_emit, 0);
    tx_board_set_request_handler(&board, tx_rig_handle);
    for (;;) {
        if ((USART_SR & USART_SR_RXNE) != 0u) {
            const uint8_t byte = (uint8_t)USART_DR;
            tx_board_feed(&board, &byte, 1);
        }
    }
}
