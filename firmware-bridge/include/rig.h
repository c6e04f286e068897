/*
 * Rig commands on 'Q' lines, answered on 'A' lines (docs/RIG-PROTOCOL.md): the command set of
 * NASA cFS's Memory Manager, cut down to what a fault-injection rig needs.
 */
#ifndef TX_RIG_H
#define TX_RIG_H

#include "board.h"

enum {
    TX_RIG_STATUS = 0x01, TX_RIG_PEEK = 0x02, TX_RIG_POKE = 0x03, TX_RIG_FLIP = 0x04,
    TX_RIG_SCRUB = 0x05, TX_RIG_RESET = 0x06, TX_RIG_HANG = 0x07, TX_RIG_TICK = 0x08,
    TX_RIG_VERIFY = 0x09
};

enum {
    TX_RIG_OK = 0, TX_RIG_UNKNOWN_OPCODE = 1, TX_RIG_BAD_LENGTH = 2, TX_RIG_BAD_ARGUMENT = 3, TX_RIG_UNCORRECTABLE = 4
};

enum { TX_SPACE_MEM = 0, TX_SPACE_RAW = 1, TX_SPACE_REG = 2 };
enum { TX_FLIP_MEM = 0, TX_FLIP_REG = 1 };

#define TX_PEEK_MEM_BYTES_MAX 128u
#define TX_PEEK_RAW_WORDS_MAX 32u
#define TX_VERIFY_BYTES 5u /* VERIFY answer: CRC-32/ISCSI of the memory image u32, accepted u8 */

/* Handles one decoded 'Q' record (body: opcode, tag, args) and sends the 'A' answer. */
void tx_rig_handle(tx_board *b, const tx_record *request);

#endif
