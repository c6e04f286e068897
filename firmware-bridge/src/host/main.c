/*
 * The emulated board: runs one channel (board.c) on a pseudo-terminal, as a USB-serial board
 * appears on a Raspberry Pi. Prints "PTY /dev/pts/N" on stdout (flushed) once the terminal is
 * ready, or serves an existing terminal with --tty PATH. select() loop; SIGTERM/SIGINT end it
 * cleanly (exit status 0). Usage errors exit 2 with one line on stderr.
 *
 *   triplex-board [--tty PATH] [--channel A|B|C] [--medium can|can-fd]
 *                 [--period-us N] [--scrub-words N] [--link-id HEX]
 */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

#include "board.h"
#include "rig.h"
#include "tx_assert.h"

#define READ_CHUNK_BYTES 512u
#define WRITE_RETRIES_MAX 1000

static volatile sig_atomic_t stop_requested = 0;
static tx_board board; /* all board state: static, no dynamic allocation */

void tx_assert_failed(const char *file, int line, const char *expression) {
    fprintf(stderr, "triplex-board: assertion failed at %s:%d: %s\n", file, line, expression);
    abort();
}

static void on_signal(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

static void usage_error(const char *message, const char *value) {
    fprintf(stderr, "triplex-board: %s%s%s\n", message, value != NULL ? ": " : "", value != NULL ? value : "");
    exit(2);
}

/* Writes all bytes (bounded retries on EAGAIN/EINTR); a closed peer drops the line. */
static void emit(void *ctx, const uint8_t *bytes, size_t length) {
    const int fd = *(const int *)ctx;
    size_t done = 0;
    int tries = 0;
    while (done < length && tries < WRITE_RETRIES_MAX) {
        const ssize_t n = write(fd, bytes + done, length - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return;
        } else {
            tries++;
            usleep(1000);
        }
    }
}

static void make_raw(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return;
    t.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= (tcflag_t) ~OPOST;
    t.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= (tcflag_t) ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    (void)tcsetattr(fd, TCSANOW, &t);
}

/* Opens a new pty master; keeps a slave descriptor open so the terminal stays raw and readable. */
static int open_pty(int *slave_out) {
    const char *name;
    int slave;
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) usage_error("cannot create a pseudo-terminal", strerror(errno));
    name = ptsname(master);
    if (name == NULL) usage_error("ptsname failed", strerror(errno));
    slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) usage_error("cannot open the pseudo-terminal slave", name);
    make_raw(slave);
    make_raw(master);
    *slave_out = slave;
    printf("PTY %s\n", name);
    fflush(stdout);
    return master;
}

static tx_medium parse_medium(const char *text) {
    if (strcmp(text, "can") == 0) return TX_MEDIUM_CAN;
    if (strcmp(text, "can-fd") == 0) return TX_MEDIUM_CAN_FD;
    usage_error("--medium must be can or can-fd", text);
    return TX_MEDIUM_CAN;
}

static unsigned long parse_number(const char *text, int base, unsigned long max, const char *flag) {
    char *end = NULL;
    unsigned long value;
    errno = 0;
    value = strtoul(text, &end, base);
    if (errno != 0 || end == text || *end != '\0' || value > max || text[0] == '-') usage_error(flag, text);
    return value;
}

static const char *parse_args(int argc, char **argv, tx_board_config *c) {
    const char *tty = NULL;
    int i;
    for (i = 1; i < argc; i++) {
        const char *flag = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (value == NULL) usage_error("missing value for", flag);
        if (strcmp(flag, "--tty") == 0) tty = value;
        else if (strcmp(flag, "--channel") == 0) {
            if (strlen(value) != 1u || value[0] < 'A' || value[0] > 'C') usage_error("--channel must be A, B or C", value);
            c->channel = (uint8_t)(value[0] - 'A' + 1);
        } else if (strcmp(flag, "--medium") == 0) c->medium = parse_medium(value);
        else if (strcmp(flag, "--period-us") == 0) c->period_micros = (uint32_t)parse_number(value, 10, 100000, "--period-us must be 1..100000");
        else if (strcmp(flag, "--scrub-words") == 0) c->scrub_words = (uint16_t)parse_number(value, 10, 65535, "--scrub-words must be 0..65535");
        else if (strcmp(flag, "--link-id") == 0) c->link_id = (uint32_t)parse_number(value, 16, 0xffffff, "--link-id must be 24-bit hex");
        else usage_error("unknown option", flag);
        i++;
    }
    if (c->period_micros == 0u) usage_error("--period-us must be 1..100000", "0");
    return tty;
}

static void serve(int fd) {
    uint8_t chunk[READ_CHUNK_BYTES];
    while (!stop_requested) {
        fd_set readable;
        struct timeval timeout;
        ssize_t n;
        FD_ZERO(&readable);
        FD_SET(fd, &readable);
        timeout.tv_sec = 0;
        timeout.tv_usec = 200000; /* wake up to notice a signal */
        if (select(fd + 1, &readable, NULL, NULL, &timeout) <= 0) continue;
        n = read(fd, chunk, sizeof chunk);
        if (n > 0) tx_board_feed(&board, chunk, (size_t)n);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR && errno != EIO)) break;
    }
}

int main(int argc, char **argv) {
    tx_board_config config;
    struct sigaction action;
    int fd, slave = -1;
    const char *tty;
    config.channel = 1;
    config.medium = TX_MEDIUM_CAN;
    config.link_id = TX_LINK_ID_DEFAULT;
    config.period_micros = 4000;
    config.scrub_words = 8;
    tty = parse_args(argc, argv, &config);
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (tty != NULL) {
        fd = open(tty, O_RDWR | O_NOCTTY);
        if (fd < 0) usage_error("cannot open tty", tty);
        make_raw(fd);
    } else {
        fd = open_pty(&slave);
    }
    tx_board_init(&board, &config, emit, &fd);
    tx_board_set_request_handler(&board, tx_rig_handle);
    serve(fd);
    close(fd);
    if (slave >= 0) close(slave);
    return 0;
}
