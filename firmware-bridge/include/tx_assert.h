/*
 * Assertions kept in production (STYLE.md habit 5). A failed assertion calls
 * tx_assert_failed(), which each target provides: the host build prints and aborts, the
 * Cortex-M build prints `# ASSERT file:line expr` on its UART and resets the board
 * (src/cortexm/main.c).
 */
#ifndef TX_ASSERT_H
#define TX_ASSERT_H

void tx_assert_failed(const char *file, int line, const char *expression);

#define TX_ASSERT(cond) \
    do { \
        if (!(cond)) tx_assert_failed(__FILE__, __LINE__, #cond); \
    } while (0)

#endif
