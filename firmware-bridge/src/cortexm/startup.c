/*
 * Cortex-M4F start-up for an STM32F405/F407: vector table (16 core exceptions + 82 device
 * interrupts, RM0090 table 61), Reset_Handler (copy .data, zero .bss, enable the FPU, call
 * main). Every exception without a handler of its own goes to HardFault_Handler (platform.c),
 * which prints a one-line report with IPSR (the exception taken) and resets the board.
 */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void);
void USART2_IRQHandler(void);

#define DEVICE_IRQS 82u

typedef void (*vector)(void);

#define H HardFault_Handler
/* Core exceptions 0..15, then IRQ 0..81; only SysTick and USART2 (IRQ 38) are used. */
__attribute__((section(".isr_vector"), used)) static const vector vector_table[16u + DEVICE_IRQS] = {
    (vector)(uintptr_t)&_estack, Reset_Handler, H, H, H, H, H, 0, 0, 0, 0, H, H, 0, H, SysTick_Handler,
    H, H, H, H, H, H, H, H, H, H, /* IRQ 0..9 */
    H, H, H, H, H, H, H, H, H, H, /* 10..19 */
    H, H, H, H, H, H, H, H, H, H, /* 20..29 */
    H, H, H, H, H, H, H, H, USART2_IRQHandler, H, /* 30..39 */
    H, H, H, H, H, H, H, H, H, H, /* 40..49 */
    H, H, H, H, H, H, H, H, H, H, /* 50..59 */
    H, H, H, H, H, H, H, H, H, H, /* 60..69 */
    H, H, H, H, H, H, H, H, H, H, /* 70..79 */
    H, H,                         /* 80..81 */
};
#undef H

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void) {
    uint32_t *src = &_sidata;
    uint32_t *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss; dst++) *dst = 0;
    SCB_CPACR |= (0xFu << 20); /* CP10 and CP11 full access: enable the FPU */
    __asm__ volatile("dsb\n\tisb");
    (void)main();
    for (;;) {
    }
}
