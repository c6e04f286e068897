/*
 * STM32F405/F407 platform layer (platform.h). Register-level after RM0090; every wait on a
 * hardware flag is bounded, so the code also runs where a peripheral is not modelled (QEMU's
 * netduinoplus2 reads RCC, PWR, FLASH, GPIO and IWDG as zero and ignores writes to them): the
 * clock set-up then falls back to HSI and reports it, the watchdog set-up is a no-op.
 */
#include "platform.h"

#include "stm32f4.h"

#ifndef TX_HSE_HZ
#define TX_HSE_HZ 8000000u /* STM32F4-Discovery, most Nucleo boards via ST-LINK MCO */
#endif

#define HSE_SPINS_MAX 500000u /* several times HSE_STARTUP_TIMEOUT (100 ms) at 16 MHz HSI */
#define PLL_SPINS_MAX 100000u
#define SWITCH_SPINS_MAX 10000u
#define IWDG_SPINS_MAX 100000u /* PVU/RVU clear within 5 LSI periods, ~300 us */
#define TX_SPINS_MAX 100000u   /* one character at 115200 is ~1400 HSI cycles */
#define PLL_INPUT_HZ 1000000u  /* VCO input 1 MHz (RM0090: 1..2 MHz) */
#define PLL_N 336u             /* VCO 336 MHz (100..432) */
#define PLL_P 2u               /* SYSCLK 168 MHz */
#define PLL_Q 7u               /* 48 MHz for USB OTG FS, SDIO, RNG */
#define IWDG_LSI_HZ 32000u

#if TX_HSE_HZ % PLL_INPUT_HZ != 0 || TX_HSE_HZ / PLL_INPUT_HZ < 2 || TX_HSE_HZ / PLL_INPUT_HZ > 63
#error "TX_HSE_HZ must be a whole number of MHz, 4..26 MHz (PLLM = HSE / 1 MHz, 2..63)"
#endif

static volatile uint32_t millis;
static volatile uint32_t rx_dropped;
static volatile uint16_t rx_head; /* written by the interrupt only */
static volatile uint16_t rx_tail; /* written by the main loop only */
static uint8_t rx_ring[TX_RX_RING_BYTES];
static uint32_t reset_flags;

static bool wait_bits(volatile uint32_t *reg, uint32_t mask, uint32_t value, uint32_t spins_max) {
    uint32_t spin;
    for (spin = 0; spin < spins_max; spin++) {
        if ((*reg & mask) == value) return true;
    }
    return false;
}

uint32_t tx_reset_flags(void) {
    reset_flags = RCC_CSR & RCC_CSR_RESET_FLAGS;
    RCC_CSR |= RCC_CSR_RMVF;
    return reset_flags;
}

/* Back to the reset clock tree: HSI, no prescalers, PLL off (the fallback). */
static tx_clocks clock_hsi(void) {
    tx_clocks c;
    RCC_CR |= RCC_CR_HSION;
    (void)wait_bits(&RCC_CR, RCC_CR_HSIRDY, RCC_CR_HSIRDY, HSE_SPINS_MAX);
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_HSI;
    (void)wait_bits(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_HSI, SWITCH_SPINS_MAX);
    RCC_CFGR &= ~(RCC_CFGR_HPRE_MASK | RCC_CFGR_PPRE1_MASK | RCC_CFGR_PPRE2_MASK);
    RCC_CR &= ~RCC_CR_PLLON;
    c.source = TX_CLOCK_HSI;
    c.sysclk_hz = TX_HSI_HZ;
    c.apb1_hz = TX_HSI_HZ;
    return c;
}

/*
 * RM0090 6.3.2 / 7.2: HSE on (or HSI when it does not start), PLL to 168 MHz, scale-1 voltage,
 * 5 flash wait states with prefetch and caches, AHB /1, APB1 /4 (42 MHz, max 42), APB2 /2
 * (84 MHz, max 84), then switch SYSCLK to the PLL and check SWS.
 */
tx_clocks tx_clock_init(void) {
    tx_clocks c;
    uint32_t input_hz = TX_HSE_HZ, source = RCC_PLLCFGR_PLLSRC_HSE;
    c.source = TX_CLOCK_PLL_HSE;
    RCC_CR |= RCC_CR_HSEON;
    if (!wait_bits(&RCC_CR, RCC_CR_HSERDY, RCC_CR_HSERDY, HSE_SPINS_MAX)) {
        RCC_CR &= ~RCC_CR_HSEON;
        input_hz = TX_HSI_HZ;
        source = 0u;
        c.source = TX_CLOCK_PLL_HSI;
    }
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    PWR_CR |= PWR_CR_VOS;
    RCC_CR &= ~RCC_CR_PLLON; /* PLLCFGR may only be written with the PLL off */
    RCC_PLLCFGR = (input_hz / PLL_INPUT_HZ) | (PLL_N << 6) | (((PLL_P / 2u) - 1u) << 16) | source | (PLL_Q << 24);
    RCC_CR |= RCC_CR_PLLON;
    if (!wait_bits(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY, PLL_SPINS_MAX)) return clock_hsi();
    FLASH_ACR = FLASH_ACR_LATENCY_5WS | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    if ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != FLASH_ACR_LATENCY_5WS) return clock_hsi();
    RCC_CFGR = (RCC_CFGR & ~(RCC_CFGR_HPRE_MASK | RCC_CFGR_PPRE1_MASK | RCC_CFGR_PPRE2_MASK)) | RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2;
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
    if (!wait_bits(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL, SWITCH_SPINS_MAX)) return clock_hsi();
    c.sysclk_hz = TX_SYSCLK_HZ;
    c.apb1_hz = TX_SYSCLK_HZ / 4u;
    return c;
}

static void set_field(volatile uint32_t *reg, unsigned pin, unsigned width, uint32_t value) {
    const uint32_t mask = ((1u << width) - 1u) << (pin * width);
    *reg = (*reg & ~mask) | (value << (pin * width));
}

/* USART2 115200 8N1, TX PA2 / RX PA3 (AF7), receive interrupt into the ring. */
void tx_uart_init(const tx_clocks *clocks) {
    unsigned pin;
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    (void)RCC_APB1ENR; /* errata ES0182 "delay after an RCC peripheral clock enabling": read back */
    for (pin = 2; pin <= 3u; pin++) {
        set_field(&GPIOA_AFRL, pin, 4u, GPIO_AF7_USART);
        set_field(&GPIOA_OSPEEDR, pin, 2u, GPIO_SPEED_HIGH);
        set_field(&GPIOA_MODER, pin, 2u, GPIO_MODE_AF);
    }
    set_field(&GPIOA_PUPDR, 3u, 2u, GPIO_PULL_UP); /* idle-high RX when nothing is connected */
    USART2_CR1 = 0;
    USART2_CR2 = 0; /* 1 stop bit */
    USART2_CR3 = 0; /* no flow control */
    USART2_BRR = (clocks->apb1_hz + TX_BAUD / 2u) / TX_BAUD; /* OVER8 = 0: mantissa.fraction/16 */
    USART2_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_IPR_BYTE(USART2_IRQN) = 0x40u;
    NVIC_ISER(USART2_IRQN / 32u) = 1u << (USART2_IRQN % 32u);
}

void USART2_IRQHandler(void);
void USART2_IRQHandler(void) {
    const uint32_t sr = USART2_SR;
    if ((sr & (USART_SR_RXNE | USART_SR_ORE)) != 0u) {
        const uint8_t byte = (uint8_t)USART2_DR; /* SR then DR also clears ORE */
        const uint16_t next = (uint16_t)((rx_head + 1u) & (TX_RX_RING_BYTES - 1u));
        if ((sr & USART_SR_ORE) != 0u) rx_dropped++;
        if (next == rx_tail) {
            rx_dropped++;
        } else {
            rx_ring[rx_head] = byte;
            rx_head = next;
        }
    }
}

size_t tx_uart_take(uint8_t *out, size_t max) {
    size_t n = 0;
    uint16_t tail = rx_tail;
    while (n < max && tail != rx_head) {
        out[n++] = rx_ring[tail];
        tail = (uint16_t)((tail + 1u) & (TX_RX_RING_BYTES - 1u));
    }
    rx_tail = tail;
    return n;
}

uint32_t tx_uart_dropped(void) {
    return rx_dropped;
}

void tx_uart_write(const uint8_t *bytes, size_t length) {
    size_t i;
    for (i = 0; i < length; i++) {
        (void)wait_bits(&USART2_SR, USART_SR_TXE, USART_SR_TXE, TX_SPINS_MAX);
        USART2_DR = bytes[i];
    }
}

void tx_uart_text(const char *text) {
    size_t n = 0;
    while (n < 200u && text[n] != '\0') n++;
    tx_uart_write((const uint8_t *)text, n);
}

void tx_uart_hex32(uint32_t value) {
    static const char digits[] = "0123456789abcdef";
    uint8_t text[8];
    unsigned i;
    for (i = 0; i < 8u; i++) text[i] = (uint8_t)digits[(value >> (28u - 4u * i)) & 0xfu];
    tx_uart_write(text, sizeof text);
}

void tx_uart_dec32(uint32_t value) {
    uint8_t text[10];
    unsigned n = 0, i;
    do {
        text[sizeof text - 1u - n] = (uint8_t)('0' + value % 10u);
        value /= 10u;
        n++;
    } while (value != 0u && n < sizeof text);
    for (i = 0; i < n; i++) tx_uart_write(&text[sizeof text - n + i], 1);
}

void tx_uart_flush(void) {
    (void)wait_bits(&USART2_SR, USART_SR_TC, USART_SR_TC, TX_SPINS_MAX);
}

/* 1 kHz from the core clock (CLKSOURCE = processor clock). */
void tx_systick_init(const tx_clocks *clocks) {
    const uint32_t reload = clocks->sysclk_hz / TX_SYSTICK_HZ - 1u;
    SYST_CSR = 0;
    SYST_RVR = reload & SYST_RVR_MAX;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

void SysTick_Handler(void);
void SysTick_Handler(void) {
    millis++;
}

uint32_t tx_millis(void) {
    return millis;
}

/*
 * RM0090 21.3: the start key also starts the LSI; PR/RLR writes need the unlock key and are
 * done when PVU/RVU clear. LSI / 32 = 1 kHz nominal, reload TX_WATCHDOG_MILLIS. Once started it
 * cannot be stopped (a debugger halting the core needs DBGMCU_APB1_FZ.DBG_IWDG_STOP).
 */
void tx_watchdog_init(void) {
    IWDG_KR = IWDG_KEY_START;
    IWDG_KR = IWDG_KEY_UNLOCK;
    IWDG_PR = IWDG_PR_DIV32;
    IWDG_RLR = (IWDG_LSI_HZ / 32u) * TX_WATCHDOG_MILLIS / 1000u;
    (void)wait_bits(&IWDG_SR, IWDG_SR_BUSY, 0u, IWDG_SPINS_MAX);
    IWDG_KR = IWDG_KEY_KICK;
}

void tx_watchdog_kick(void) {
    IWDG_KR = IWDG_KEY_KICK;
}

void tx_system_reset(void) {
    tx_uart_flush();
    __asm__ volatile("dsb" ::: "memory");
    SCB_AIRCR = SCB_AIRCR_VECTKEY | (SCB_AIRCR & SCB_AIRCR_PRIGROUP_MASK) | SCB_AIRCR_SYSRESETREQ;
    __asm__ volatile("dsb" ::: "memory");
    for (;;) {
        /* the reset takes effect within a few cycles */
    }
}

/*
 * HardFault, every escalated fault and every unexpected exception (startup.c routes them all
 * here): one comment line on the UART, then reset. IPSR is the exception taken (3 HardFault,
 * 16 + n device interrupt n); PC, LR and XPSR are the stacked ones of the faulting code:
 *   # HARDFAULT IPSR=00000003 CFSR=00010000 HFSR=40000000 MMFAR=.. BFAR=.. PC=08000abc LR=..
 *   XPSR=.. EXC_RETURN=fffffff9 MS=12 (one line; MS = SysTick milliseconds since start)
 * `frame` is the stacked exception frame r0 r1 r2 r3 r12 lr pc xpsr (MSP or PSP by EXC_RETURN).
 */
void tx_fault_report(const uint32_t *frame, uint32_t exc_return);
static uint32_t current_ipsr(void) {
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr;
}

void tx_fault_report(const uint32_t *frame, uint32_t exc_return) {
    static const char *const names[] = {" IPSR=", " CFSR=", " HFSR=", " MMFAR=", " BFAR=", " PC=", " LR=", " XPSR=", " EXC_RETURN="};
    const uint32_t values[] = {current_ipsr(), SCB_CFSR, SCB_HFSR, SCB_MMFAR, SCB_BFAR, frame[6], frame[5], frame[7], exc_return};
    unsigned i;
    tx_uart_text("\n# HARDFAULT");
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        tx_uart_text(names[i]);
        tx_uart_hex32(values[i]);
    }
    tx_uart_text(" MS=");
    tx_uart_dec32(millis);
    tx_uart_text("\n");
    tx_system_reset();
}

void HardFault_Handler(void) __attribute__((naked));
void HardFault_Handler(void) {
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mov r1, lr\n\t"
        "b tx_fault_report\n\t");
}
