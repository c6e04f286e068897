/*
 * The STM32F405/F407 platform layer under the shared board code (board.c, rig.c): clocks,
 * USART2 on PA2/PA3, the SysTick time base, the independent watchdog, fault reports and reset.
 * Nothing here knows the rig protocol; main.c joins the two.
 */
#ifndef TX_PLATFORM_H
#define TX_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    TX_CLOCK_PLL_HSE = 0, /* the intended set-up: HSE -> PLL -> 168 MHz */
    TX_CLOCK_PLL_HSI = 1, /* HSE did not start: HSI -> PLL -> 168 MHz */
    TX_CLOCK_HSI = 2      /* the PLL did not lock or the switch failed: HSI 16 MHz, no prescalers */
} tx_clock_source;

typedef struct {
    tx_clock_source source;
    uint32_t sysclk_hz;
    uint32_t apb1_hz; /* USART2, IWDG registers */
} tx_clocks;

#define TX_SYSCLK_HZ 168000000u
#define TX_HSI_HZ 16000000u
#define TX_BAUD 115200u
#define TX_SYSTICK_HZ 1000u
#define TX_RX_RING_BYTES 1024u /* a power of two: about 89 ms of 115200 8N1 input */
#define TX_WATCHDOG_MILLIS 1000u /* nominal; the LSI spread (17..47 kHz) makes it 0.68..1.9 s */

/* RM0090 7.2: reset flags of RCC_CSR read at start-up (then cleared with RMVF). */
uint32_t tx_reset_flags(void);
tx_clocks tx_clock_init(void);
void tx_uart_init(const tx_clocks *clocks);
void tx_systick_init(const tx_clocks *clocks);
uint32_t tx_millis(void);
void tx_watchdog_init(void);
void tx_watchdog_kick(void);
/* Takes up to `max` received bytes from the RX ring (the USART2 interrupt fills it). */
size_t tx_uart_take(uint8_t *out, size_t max);
uint32_t tx_uart_dropped(void);
/* Polled, bounded transmit: usable from any context, also from fault handlers. */
void tx_uart_write(const uint8_t *bytes, size_t length);
void tx_uart_text(const char *text);
void tx_uart_hex32(uint32_t value);
void tx_uart_dec32(uint32_t value);
void tx_uart_flush(void);
/* NVIC_SystemReset: AIRCR.SYSRESETREQ (keeping PRIGROUP), after the UART has drained. */
void tx_system_reset(void) __attribute__((noreturn));

#endif
