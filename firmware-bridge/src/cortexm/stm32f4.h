/*
 * The few STM32F405/F407 and Cortex-M4 registers the board uses, from the reference manual
 * RM0090 (rev 19) and the Cortex-M4 Devices Generic User Guide. Register-level, no vendor
 * headers: each address names its RM0090 section.
 */
#ifndef TX_STM32F4_H
#define TX_STM32F4_H

#include <stdint.h>

#define TX_REG(address) (*(volatile uint32_t *)(address))

/* ---- RCC (RM0090 7.3), base 0x40023800 ---- */
#define RCC_BASE 0x40023800u
#define RCC_CR TX_REG(RCC_BASE + 0x00u)
#define RCC_PLLCFGR TX_REG(RCC_BASE + 0x04u)
#define RCC_CFGR TX_REG(RCC_BASE + 0x08u)
#define RCC_AHB1ENR TX_REG(RCC_BASE + 0x30u)
#define RCC_APB1ENR TX_REG(RCC_BASE + 0x40u)
#define RCC_CSR TX_REG(RCC_BASE + 0x74u)

#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_PLLCFGR_PLLSRC_HSE (1u << 22)
#define RCC_CFGR_SW_MASK 0x3u
#define RCC_CFGR_SW_HSI 0x0u
#define RCC_CFGR_SW_PLL 0x2u
#define RCC_CFGR_SWS_MASK (0x3u << 2)
#define RCC_CFGR_SWS_HSI (0x0u << 2)
#define RCC_CFGR_SWS_PLL (0x2u << 2)
#define RCC_CFGR_HPRE_MASK (0xfu << 4)
#define RCC_CFGR_PPRE1_MASK (0x7u << 10)
#define RCC_CFGR_PPRE1_DIV4 (0x5u << 10)
#define RCC_CFGR_PPRE2_MASK (0x7u << 13)
#define RCC_CFGR_PPRE2_DIV2 (0x4u << 13)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_APB1ENR_USART2EN (1u << 17)
#define RCC_APB1ENR_PWREN (1u << 28)
#define RCC_CSR_RMVF (1u << 24)
#define RCC_CSR_RESET_FLAGS (0x7fu << 25) /* BOR PIN POR SFT IWDG WWDG LPWR, bits 25..31 */
#define RCC_CSR_SFTRSTF (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)

/* ---- PWR (RM0090 5.4): VOS = 1 (scale 1), needed above 144 MHz on F405/F407 ---- */
#define PWR_CR TX_REG(0x40007000u)
#define PWR_CR_VOS (1u << 14)

/* ---- Flash interface (RM0090 3.9): 5 wait states for 150 < HCLK <= 168 MHz at 2.7-3.6 V ---- */
#define FLASH_ACR TX_REG(0x40023c00u)
#define FLASH_ACR_LATENCY_MASK 0x7u
#define FLASH_ACR_LATENCY_5WS 0x5u
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)

/* ---- GPIOA (RM0090 8.4) ---- */
#define GPIOA_BASE 0x40020000u
#define GPIOA_MODER TX_REG(GPIOA_BASE + 0x00u)
#define GPIOA_OSPEEDR TX_REG(GPIOA_BASE + 0x08u)
#define GPIOA_PUPDR TX_REG(GPIOA_BASE + 0x0cu)
#define GPIOA_AFRL TX_REG(GPIOA_BASE + 0x20u)
#define GPIO_MODE_AF 0x2u
#define GPIO_SPEED_HIGH 0x2u
#define GPIO_PULL_UP 0x1u
#define GPIO_AF7_USART 0x7u

/* ---- USART2 (RM0090 30.6), APB1 ---- */
#define USART2_BASE 0x40004400u
#define USART2_SR TX_REG(USART2_BASE + 0x00u)
#define USART2_DR TX_REG(USART2_BASE + 0x04u)
#define USART2_BRR TX_REG(USART2_BASE + 0x08u)
#define USART2_CR1 TX_REG(USART2_BASE + 0x0cu)
#define USART2_CR2 TX_REG(USART2_BASE + 0x10u)
#define USART2_CR3 TX_REG(USART2_BASE + 0x14u)
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC (1u << 6)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE (1u << 13)
#define USART2_IRQN 38u

/* ---- IWDG (RM0090 21.4), clocked by the LSI (32 kHz nominal, 17..47 kHz) ---- */
#define IWDG_KR TX_REG(0x40003000u)
#define IWDG_PR TX_REG(0x40003004u)
#define IWDG_RLR TX_REG(0x40003008u)
#define IWDG_SR TX_REG(0x4000300cu)
#define IWDG_KEY_START 0xccccu
#define IWDG_KEY_UNLOCK 0x5555u
#define IWDG_KEY_KICK 0xaaaau
#define IWDG_PR_DIV32 0x3u
#define IWDG_SR_BUSY 0x3u /* PVU | RVU */

/* ---- Cortex-M4 system control space ---- */
#define SYST_CSR TX_REG(0xe000e010u)
#define SYST_RVR TX_REG(0xe000e014u)
#define SYST_CVR TX_REG(0xe000e018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE_CPU (1u << 2)
#define SYST_RVR_MAX 0x00ffffffu
#define NVIC_ISER(n) TX_REG(0xe000e100u + 4u * (n))
#define NVIC_IPR_BYTE(irq) (*(volatile uint8_t *)(0xe000e400u + (irq)))
#define SCB_AIRCR TX_REG(0xe000ed0cu)
#define SCB_AIRCR_VECTKEY (0x05fau << 16)
#define SCB_AIRCR_PRIGROUP_MASK (0x7u << 8)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)
#define SCB_CCR TX_REG(0xe000ed14u)
#define SCB_CCR_DIV_0_TRP (1u << 4)
#define SCB_CFSR TX_REG(0xe000ed28u)
#define SCB_HFSR TX_REG(0xe000ed2cu)
#define SCB_MMFAR TX_REG(0xe000ed34u)
#define SCB_BFAR TX_REG(0xe000ed38u)

#endif
