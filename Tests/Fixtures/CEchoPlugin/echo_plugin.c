/*
 * CEchoPlugin: a "loopback" transport written in plain C11 (plus POSIX), proving that
 * the plugin ABI in bridge_plugin.h needs nothing from Swift. A test fixture.
 *
 * Configuration: {"path": "/run/x.sock"}, the Unix-domain socket it listens on (a
 * stale socket file there is replaced). No other key is accepted.
 *
 * Each accepted connection is one client (at most ECHO_MAX_CLIENTS):
 *   - every line it writes ("\n" or "\r\n" ended, at most ECHO_MAX_LINE bytes; longer
 *     lines are dropped and logged; empty lines skipped) goes to client_message;
 *   - send/send_many append the message plus "\n" to the client's out buffer, bounded
 *     to ECHO_MAX_QUEUE bytes (else BRIDGE_ERR_QUEUE_FULL; client_writable follows
 *     once the buffer drained below half). send_many copies the message per client,
 *     which the ABI allows a fixture but a real transport should avoid;
 *   - close_client appends the final message even beyond the bound, flushes for at most
 *     ECHO_CLOSE_TIMEOUT_MS, closes the connection, then reports client_close.
 *
 * Threading: one I/O thread polls the listener, a wake pipe and every connection; it
 * alone reads, writes, accepts, closes and calls the host. Host calls (send,
 * send_many, close_client) only touch out buffers under the plugin mutex and wake the
 * I/O thread. The mutex is never held while calling the host, so the host may call
 * back into the plugin from its callbacks. A message sent from inside client_open
 * (before the id is known here) gets BRIDGE_ERR_UNKNOWN_CLIENT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bridge_plugin.h"

#define ECHO_MAX_CLIENTS 64
#define ECHO_MAX_LINE (64 * 1024)
#define ECHO_MAX_QUEUE (256 * 1024)
#define ECHO_CLOSE_TIMEOUT_MS 2000
#define ECHO_REASON_MAX 124 /* close reasons are at most 123 bytes */

struct echo_client {
    bridge_client_id id; /* 0 until client_open returned it */
    int fd;
    /* Input: the current line; touched by the I/O thread only. */
    char line[ECHO_MAX_LINE];
    size_t line_used;
    int line_too_long;
    /* Output and closing: guarded by the plugin mutex. */
    char *out;
    size_t out_used, out_cap;
    int refused;  /* a send was refused since the last client_writable */
    int closing;
    long long close_deadline_ms;
    char close_reason[ECHO_REASON_MAX];
};

struct bridge_plugin {
    const bridge_host_vtable *host;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int listen_fd;
    int wake[2];
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock; /* guards clients[], their out/closing fields, stopping */
    struct echo_client *clients[ECHO_MAX_CLIENTS];
    int stopping;
};

/* ---- small helpers ---- */

static void set_error(char *errbuf, size_t errlen, const char *format, ...) {
    if (errbuf == NULL || errlen == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(errbuf, errlen, format, args);
    va_end(args);
}

static void log_message(bridge_plugin *p, bridge_log_level level, const char *format, ...) {
    char text[256];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    p->host->log(p->host->host_ctx, level, text);
}

static long long now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void wake_io_thread(bridge_plugin *p) {
    char byte = 1;
    ssize_t ignored = write(p->wake[1], &byte, 1); /* a full pipe already wakes it */
    (void)ignored;
}

static int set_nonblocking_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* ---- configuration: {"path": "..."} with a tiny scanner ---- */

static const char *skip_space(const char *s) {
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    return s;
}

/* Reads a JSON string at *s into out (NUL-terminated). Simple escapes only. */
static int scan_string(const char **s, char *out, size_t cap) {
    const char *c = *s;
    size_t used = 0;
    if (*c++ != '"') return -1;
    while (*c != '"') {
        char ch = *c++;
        if (ch == '\0' || (unsigned char)ch < 0x20) return -1;
        if (ch == '\\') {
            switch (*c++) {
            case '"': ch = '"'; break;
            case '\\': ch = '\\'; break;
            case '/': ch = '/'; break;
            default: return -1; /* \n, \uXXXX ... have no place in a path here */
            }
        }
        if (used + 1 >= cap) return -1;
        out[used++] = ch;
    }
    out[used] = '\0';
    *s = c + 1;
    return 0;
}

static int parse_config(const char *json, char *path, size_t cap, char *errbuf, size_t errlen) {
    const char *s = skip_space(json ? json : "{}");
    char key[64];
    path[0] = '\0';
    if (*s++ != '{') goto malformed;
    s = skip_space(s);
    while (*s != '}') {
        if (scan_string(&s, key, sizeof key) != 0) goto malformed;
        s = skip_space(s);
        if (*s++ != ':') goto malformed;
        s = skip_space(s);
        if (strcmp(key, "path") != 0) {
            set_error(errbuf, errlen, "unknown configuration key \"%s\" (known keys: path)", key);
            return -1;
        }
        if (scan_string(&s, path, cap) != 0) {
            set_error(errbuf, errlen, "\"path\" must be a string of at most %zu bytes", cap - 1);
            return -1;
        }
        s = skip_space(s);
        if (*s == ',') s = skip_space(s + 1);
        else if (*s != '}') goto malformed;
    }
    if (*skip_space(s + 1) != '\0') goto malformed;
    if (path[0] == '\0') {
        set_error(errbuf, errlen, "the configuration needs \"path\", the socket to listen on");
        return -1;
    }
    return 0;
malformed:
    set_error(errbuf, errlen, "the configuration must be a JSON object like {\"path\": \"/run/x.sock\"}");
    return -1;
}

/* ---- clients (the I/O thread's side) ---- */

/* The client with this id, or NULL. Lock held. */
static struct echo_client *find_client(bridge_plugin *p, bridge_client_id id) {
    if (id == 0) return NULL;
    for (int i = 0; i < ECHO_MAX_CLIENTS; i++)
        if (p->clients[i] != NULL && p->clients[i]->id == id) return p->clients[i];
    return NULL;
}

static void close_client_now(bridge_plugin *p, int slot, const char *reason) {
    pthread_mutex_lock(&p->lock);
    struct echo_client *c = p->clients[slot];
    p->clients[slot] = NULL;
    pthread_mutex_unlock(&p->lock);
    close(c->fd);
    if (c->id != 0) p->host->client_close(p->host->host_ctx, c->id, reason);
    free(c->out);
    free(c);
}

static void accept_client(bridge_plugin *p) {
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0) return;
    int slot = -1;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < ECHO_MAX_CLIENTS && slot < 0; i++)
        if (p->clients[i] == NULL) slot = i;
    pthread_mutex_unlock(&p->lock);
    struct echo_client *c = slot < 0 ? NULL : calloc(1, sizeof *c);
    if (c == NULL || set_nonblocking_cloexec(fd) != 0) {
        log_message(p, BRIDGE_LOG_WARNING, "refused a connection: %s", slot < 0 ? "too many clients" : "cannot set it up");
        free(c);
        close(fd);
        return;
    }
    c->fd = fd;
    pthread_mutex_lock(&p->lock);
    p->clients[slot] = c; /* only this thread fills slots, so it is still free */
    pthread_mutex_unlock(&p->lock);

    char peer[96];
    struct ucred credentials;
    socklen_t size = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0)
        snprintf(peer, sizeof peer, "{\"transport\":\"loopback\",\"uid\":%u,\"pid\":%d}",
                 (unsigned)credentials.uid, (int)credentials.pid);
    else
        snprintf(peer, sizeof peer, "{\"transport\":\"loopback\"}");
    bridge_client_id id = p->host->client_open(p->host->host_ctx, peer);
    if (id == 0) {
        close_client_now(p, slot, "refused by the host");
        return;
    }
    pthread_mutex_lock(&p->lock);
    c->id = id;
    pthread_mutex_unlock(&p->lock);
}

/* Splits what arrived into lines for the host. Returns -1 when the connection ended. */
static int read_client(bridge_plugin *p, struct echo_client *c) {
    char chunk[16384];
    ssize_t count = read(c->fd, chunk, sizeof chunk);
    if (count == 0) return -1;
    if (count < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    for (ssize_t i = 0; i < count; i++) {
        if (chunk[i] != '\n') {
            if (c->line_used < ECHO_MAX_LINE) c->line[c->line_used++] = chunk[i];
            else c->line_too_long = 1;
            continue;
        }
        size_t length = c->line_used;
        if (length > 0 && c->line[length - 1] == '\r') length--;
        if (c->line_too_long)
            log_message(p, BRIDGE_LOG_WARNING, "dropped a line over %d bytes", ECHO_MAX_LINE);
        else if (length > 0)
            p->host->client_message(p->host->host_ctx, c->id, (const uint8_t *)c->line, length);
        c->line_used = 0;
        c->line_too_long = 0;
    }
    return 0;
}

/* Writes what the out buffer holds. Returns -1 when the connection broke. */
static int write_client(bridge_plugin *p, struct echo_client *c) {
    int writable_again = 0, broken = 0;
    pthread_mutex_lock(&p->lock);
    if (c->out_used > 0) {
        ssize_t written = send(c->fd, c->out, c->out_used, MSG_NOSIGNAL);
        if (written > 0) {
            memmove(c->out, c->out + written, c->out_used - (size_t)written);
            c->out_used -= (size_t)written;
        } else if (written < 0 && errno != EAGAIN && errno != EINTR) {
            broken = 1;
        }
    }
    if (c->refused && !c->closing && c->out_used <= ECHO_MAX_QUEUE / 2) {
        c->refused = 0;
        writable_again = 1;
    }
    pthread_mutex_unlock(&p->lock);
    if (writable_again) p->host->client_writable(p->host->host_ctx, c->id);
    return broken ? -1 : 0;
}

static void *io_thread(void *argument) {
    bridge_plugin *p = argument;
    struct pollfd fds[2 + ECHO_MAX_CLIENTS];
    int slots[2 + ECHO_MAX_CLIENTS];
    for (;;) {
        int count = 0, timeout = -1;
        fds[count++] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
        fds[count++] = (struct pollfd){.fd = p->listen_fd, .events = POLLIN};
        pthread_mutex_lock(&p->lock);
        int stopping = p->stopping;
        long long now = now_ms();
        for (int i = 0; i < ECHO_MAX_CLIENTS; i++) {
            struct echo_client *c = p->clients[i];
            if (c == NULL) continue;
            if (c->closing) {
                long long left = c->close_deadline_ms - now;
                left = left < 0 ? 0 : left;
                if (timeout < 0 || left < timeout) timeout = (int)left;
            }
            slots[count] = i;
            fds[count++] = (struct pollfd){.fd = c->fd, .events = POLLIN | (c->out_used > 0 ? POLLOUT : 0)};
        }
        pthread_mutex_unlock(&p->lock);
        if (stopping) break;

        if (poll(fds, (nfds_t)count, timeout) < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) {
            char drain[64];
            while (read(p->wake[0], drain, sizeof drain) > 0) {}
        }
        for (int k = 2; k < count; k++) {
            int slot = slots[k];
            struct echo_client *c = p->clients[slot]; /* only this thread empties slots */
            int ended = 0;
            if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) ended = read_client(p, c) < 0;
            if (!ended && (fds[k].revents & POLLOUT)) ended = write_client(p, c) < 0;
            if (ended) {
                close_client_now(p, slot, "connection closed");
                continue;
            }
            pthread_mutex_lock(&p->lock);
            int done = c->closing && (c->out_used == 0 || now_ms() >= c->close_deadline_ms);
            char reason[ECHO_REASON_MAX];
            memcpy(reason, c->close_reason, sizeof reason);
            pthread_mutex_unlock(&p->lock);
            if (done) close_client_now(p, slot, reason);
        }
        if (fds[1].revents & POLLIN) accept_client(p);
    }
    for (int i = 0; i < ECHO_MAX_CLIENTS; i++)
        if (p->clients[i] != NULL) close_client_now(p, i, "transport stopped");
    return NULL;
}

/* ---- the descriptor's functions ---- */

static bridge_plugin *echo_create(const bridge_host_vtable *host, const char *config_json,
                                  char *errbuf, size_t errlen) {
    if (host == NULL || host->struct_size < sizeof(bridge_host_vtable)) {
        set_error(errbuf, errlen, "the host vtable is older than this plugin");
        return NULL;
    }
    bridge_plugin *p = calloc(1, sizeof *p);
    if (p == NULL) {
        set_error(errbuf, errlen, "out of memory");
        return NULL;
    }
    p->host = host;
    p->listen_fd = -1;
    if (parse_config(config_json, p->path, sizeof p->path, errbuf, errlen) != 0) {
        free(p);
        return NULL;
    }
    if (pipe(p->wake) != 0 || set_nonblocking_cloexec(p->wake[0]) != 0 || set_nonblocking_cloexec(p->wake[1]) != 0) {
        set_error(errbuf, errlen, "cannot create the wake pipe: %s", strerror(errno));
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

static int echo_start(bridge_plugin *p, char *errbuf, size_t errlen) {
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    memcpy(address.sun_path, p->path, sizeof address.sun_path);
    struct stat existing;
    if (lstat(p->path, &existing) == 0 && S_ISSOCK(existing.st_mode)) unlink(p->path);
    p->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(p->listen_fd, 16) != 0 || set_nonblocking_cloexec(p->listen_fd) != 0) {
        set_error(errbuf, errlen, "cannot listen on %s: %s", p->path, strerror(errno));
        if (p->listen_fd >= 0) close(p->listen_fd);
        p->listen_fd = -1;
        return 1;
    }
    int error = pthread_create(&p->thread, NULL, io_thread, p);
    if (error != 0) {
        set_error(errbuf, errlen, "cannot start the I/O thread: %s", strerror(error));
        close(p->listen_fd);
        p->listen_fd = -1;
        unlink(p->path);
        return 1;
    }
    p->thread_started = 1;
    return 0;
}

static void echo_stop(bridge_plugin *p) {
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_mutex_unlock(&p->lock);
    wake_io_thread(p);
    if (p->thread_started) pthread_join(p->thread, NULL);
    p->thread_started = 0;
    if (p->listen_fd >= 0) {
        close(p->listen_fd);
        p->listen_fd = -1;
        unlink(p->path);
    }
}

static void echo_destroy(bridge_plugin *p) {
    if (p == NULL) return;
    echo_stop(p); /* a no-op after stop(); covers a destroy after a failed start */
    close(p->wake[0]);
    close(p->wake[1]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Appends bytes + "\n" to a client's out buffer; beyond_bound for the final message. Lock held. */
static int append_line(struct echo_client *c, const uint8_t *bytes, size_t len, int beyond_bound) {
    size_t needed = c->out_used + len + 1;
    if (!beyond_bound && needed > ECHO_MAX_QUEUE) return -1;
    if (needed > c->out_cap) {
        size_t capacity = c->out_cap ? c->out_cap : 4096;
        while (capacity < needed) capacity *= 2;
        char *grown = realloc(c->out, capacity);
        if (grown == NULL) return -1;
        c->out = grown;
        c->out_cap = capacity;
    }
    if (len > 0) memcpy(c->out + c->out_used, bytes, len);
    c->out[c->out_used + len] = '\n';
    c->out_used = needed;
    return 0;
}

static bridge_status echo_send(bridge_plugin *p, bridge_client_id client, const uint8_t *bytes, size_t len) {
    if (bytes == NULL && len > 0) return BRIDGE_ERR_INVALID;
    pthread_mutex_lock(&p->lock);
    bridge_status status = BRIDGE_OK;
    struct echo_client *c = p->stopping ? NULL : find_client(p, client);
    if (p->stopping) status = BRIDGE_ERR_STOPPED;
    else if (c == NULL || c->closing) status = BRIDGE_ERR_UNKNOWN_CLIENT;
    else if (append_line(c, bytes, len, 0) != 0) {
        c->refused = 1;
        status = BRIDGE_ERR_QUEUE_FULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (status == BRIDGE_OK) wake_io_thread(p);
    return status;
}

static void echo_send_many(bridge_plugin *p, const bridge_client_id *clients, size_t count,
                           const uint8_t *bytes, size_t len, bridge_status *statuses) {
    for (size_t i = 0; i < count; i++) {
        bridge_status status = echo_send(p, clients[i], bytes, len);
        if (statuses != NULL) statuses[i] = status;
    }
}

static void echo_close_client(bridge_plugin *p, bridge_client_id client, const uint8_t *final_bytes,
                              size_t final_len, int code, const char *reason) {
    (void)code; /* a WebSocket close code means nothing on a Unix socket */
    pthread_mutex_lock(&p->lock);
    struct echo_client *c = find_client(p, client);
    if (c != NULL && !c->closing) {
        if (final_bytes != NULL) append_line(c, final_bytes, final_len, 1);
        c->closing = 1;
        c->close_deadline_ms = now_ms() + ECHO_CLOSE_TIMEOUT_MS;
        snprintf(c->close_reason, sizeof c->close_reason, "%s", reason ? reason : "closed by the bridge");
    }
    pthread_mutex_unlock(&p->lock);
    wake_io_thread(p);
}

static const bridge_plugin_descriptor descriptor = {
    .abi_major = BRIDGE_PLUGIN_ABI_MAJOR,
    .abi_minor = BRIDGE_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(bridge_plugin_descriptor),
    .name = "loopback",
    .version = "1.0.0",
    .create = echo_create,
    .start = echo_start,
    .stop = echo_stop,
    .destroy = echo_destroy,
    .send = echo_send,
    .send_many = echo_send_many,
    .close_client = echo_close_client,
};

const bridge_plugin_descriptor *bridge_plugin_entry(void) { return &descriptor; }
