/*
 * unicat-bridge transport plugin ABI.
 *
 * A transport plugin is a shared library exporting one C symbol,
 * BRIDGE_PLUGIN_ENTRY_SYMBOL, that returns a pointer to a static
 * bridge_plugin_descriptor. The host dlopen()s the library, checks the
 * descriptor's version fields, and then drives the plugin only through the
 * function pointers below. The plugin reaches the host only through the
 * bridge_host_vtable it receives in create(). Nothing but C types crosses
 * this boundary, so a plugin can be written in C, Swift or anything that can
 * export a C symbol.
 *
 * Versioning
 *   - abi_major changes on any incompatible change; the host refuses a plugin
 *     whose abi_major differs from its own.
 *   - abi_minor grows when fields are appended; struct_size is the
 *     sizeof() the plugin was compiled with. The host refuses a plugin older
 *     than BRIDGE_PLUGIN_ABI_MINOR_REQUIRED or with a struct smaller than
 *     BRIDGE_PLUGIN_DESCRIPTOR_MIN_SIZE, and never reads past struct_size.
 *   - Structs are append-only: new fields go at the end.
 *
 * Threading
 *   - Every host->plugin call except create() and destroy() may come from any
 *     thread, concurrently. A plugin runs its own I/O thread(s); calls from the
 *     host only enqueue and wake that thread.
 *   - create(), start(), stop() and destroy() are called once each, in that
 *     order, from one thread; stop() returns only when the plugin no longer
 *     calls into the host.
 *   - Plugin->host calls (the vtable) may come from any plugin thread; the host
 *     never blocks them on network I/O.
 *
 * Ownership
 *   - Every buffer passed across the ABI is borrowed for the duration of the
 *     call only: the callee copies what it wants to keep. No call frees a
 *     buffer it did not allocate, except bridge_host_vtable.free_string for
 *     strings returned by host_query().
 */
#ifndef UNICAT_BRIDGE_PLUGIN_H
#define UNICAT_BRIDGE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_PLUGIN_ABI_MAJOR 1
#define BRIDGE_PLUGIN_ABI_MINOR 3
/* Oldest minor version this host accepts. */
#define BRIDGE_PLUGIN_ABI_MINOR_REQUIRED 0
#define BRIDGE_PLUGIN_ENTRY_SYMBOL "bridge_plugin_entry"

/* A client (one connection, one stdio peer) as numbered by the host. 0 is never valid. */
typedef uint64_t bridge_client_id;

typedef enum {
    BRIDGE_LOG_DEBUG = 0,
    BRIDGE_LOG_INFO = 1,
    BRIDGE_LOG_WARNING = 2,
    BRIDGE_LOG_ERROR = 3,
} bridge_log_level;

/* Result of plugin calls that can fail. */
typedef enum {
    BRIDGE_OK = 0,
    BRIDGE_ERR_UNKNOWN_CLIENT = 1, /* the client is gone; the host drops it */
    BRIDGE_ERR_QUEUE_FULL = 2,     /* the client's outgoing queue is at its bound */
    BRIDGE_ERR_STOPPED = 3,        /* the plugin is stopping or stopped */
    BRIDGE_ERR_INVALID = 4,        /* bad arguments */
    /* Since ABI 1.1, and only to a host whose vtable says abi_minor >= 1: queued, but the
       plugin's writer is behind on this client (the bundled plugins: four messages waiting,
       or some waiting 20 ms with none taken). The plugin then calls client_writable once
       that client's queue is empty, so the host can hold further messages back and send
       them together (adaptive batching), instead of queueing one per change. */
    BRIDGE_OK_BUSY = 5,
    /* Since ABI 1.3, only from send_superseding: the client's last queued message, not
       taken by the writer yet and queued by send_superseding with the same stream, was
       replaced by the combined message; nothing was added to the queue. */
    BRIDGE_OK_SUPERSEDED = 6,
} bridge_status;

/*
 * The host side, handed to create(). Valid until destroy() returns.
 */
typedef struct bridge_host_vtable {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size;   /* sizeof(bridge_host_vtable) as the host built it */
    void *host_ctx;         /* opaque; pass back as the first argument of every call */

    /* A client connected. peer_info_json describes it (transport, address, uid,
       token subject ...), NUL-terminated, borrowed. Returns the client's id, or 0
       when the host refuses the client (the plugin then closes it). */
    bridge_client_id (*client_open)(void *host_ctx, const char *peer_info_json);

    /* One complete protocol message (a JSON-RPC text) from a client; borrowed. */
    void (*client_message)(void *host_ctx, bridge_client_id client,
                           const uint8_t *bytes, size_t len);

    /* The client is gone; reason is a short NUL-terminated text, borrowed. The id
       is not used again after this call. */
    void (*client_close)(void *host_ctx, bridge_client_id client, const char *reason);

    /* The client's outgoing queue drained below its low-water mark after a
       BRIDGE_ERR_QUEUE_FULL, or emptied after a BRIDGE_OK_BUSY: the host may send again
       (backpressure). */
    void (*client_writable)(void *host_ctx, bridge_client_id client);

    /* A log line from the plugin, NUL-terminated, borrowed. Never contains secrets. */
    void (*log)(void *host_ctx, bridge_log_level level, const char *message);

    /* Ask the host for a named document: "metrics" (Prometheus text), "status"
       (bridge.status JSON), "health" (JSON with "ok": bool). Returns a
       NUL-terminated string the plugin must release with free_string(), or NULL
       for an unknown name. */
    char *(*host_query)(void *host_ctx, const char *name);
    void (*free_string)(void *host_ctx, char *string);

    /* Ask the bridge to shut down cleanly (e.g. the stdio transport's stdin reached
       EOF: the spawning editor is gone). reason is borrowed. Returns at once. */
    void (*request_shutdown)(void *host_ctx, const char *reason);
} bridge_host_vtable;

/* Opaque plugin instance. */
typedef struct bridge_plugin bridge_plugin;

typedef struct bridge_plugin_descriptor {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size;   /* sizeof(bridge_plugin_descriptor) as the plugin built it */
    const char *name;       /* e.g. "websocket"; static storage */
    const char *version;    /* the plugin's own version; static storage */

    /* Create an instance from its configuration section (a JSON object text,
       borrowed). On failure return NULL and write a NUL-terminated message of at
       most errlen bytes into errbuf. */
    bridge_plugin *(*create)(const bridge_host_vtable *host, const char *config_json,
                             char *errbuf, size_t errlen);

    /* Start serving (open listeners, spawn the I/O thread). Returns 0, or non-zero
       with a message in errbuf. */
    int (*start)(bridge_plugin *plugin, char *errbuf, size_t errlen);

    /* Stop serving: close every client (client_close is called for each) and join
       the plugin's threads. */
    void (*stop)(bridge_plugin *plugin);

    /* Free the instance. No call on it follows. */
    void (*destroy)(bridge_plugin *plugin);

    /* Queue one message for one client. Any thread. bytes are borrowed. */
    bridge_status (*send)(bridge_plugin *plugin, bridge_client_id client,
                          const uint8_t *bytes, size_t len);

    /* Queue the same message for many clients (fan-out). The plugin keeps one
       shared copy, not one per client. statuses (may be NULL) receives one
       bridge_status per client. Any thread. */
    void (*send_many)(bridge_plugin *plugin, const bridge_client_id *clients, size_t count,
                      const uint8_t *bytes, size_t len, bridge_status *statuses);

    /* Close a client: queue final_bytes (may be NULL) even beyond the queue bound,
       flush what is queued (giving up after the plugin's close timeout when the client
       does not read), then close with a transport code (WebSocket close code; ignored
       elsewhere) and a short reason (at most 123 bytes). client_close follows. Any
       thread. */
    void (*close_client)(bridge_plugin *plugin, bridge_client_id client,
                         const uint8_t *final_bytes, size_t final_len,
                         int code, const char *reason);

    /* Since ABI 1.2; NULL (or absent: an older struct_size) when the plugin has none.
       Checks a configuration section (a JSON object text, borrowed) as create() would,
       plus what start() would find wrong that can be seen without side effects (files
       unreadable or readable by others, directories unsafe), without creating an
       instance, opening a listener or calling the host: `unicat-bridge check-config`
       uses it. Returns 0 when the configuration is usable; otherwise non-zero, with every
       problem found written into errbuf (NUL-terminated, at most errlen bytes), one per
       line, each "KEY\tMESSAGE" where KEY is the dotted key inside the section the
       problem is about ("listen", "tls.cert_file"), or "MESSAGE" alone. `run` calls it
       too, before create(). For a plugin without it, the host checks with create() then
       destroy() (the vtable it passes admits no client), which reports one problem. */
    int (*validate)(const char *config_json, char *errbuf, size_t errlen);

    /* Since ABI 1.3; NULL (or absent) when the plugin has none: the host then uses
       send_many with `alone`. Live fan-out of a notification that may supersede the one
       before it. For each client, under its queue's lock: when its last queued message was
       queued by send_superseding with the same streams[i] and the writer has not taken it
       yet, and `combined` is not NULL, that message is replaced by `combined` (what it
       carried and what `alone` carries, as one message) and statuses[i] is
       BRIDGE_OK_SUPERSEDED; otherwise `alone` is queued as send_many would (BRIDGE_OK,
       BRIDGE_OK_BUSY, an error) and becomes the client's supersedable message for
       streams[i]. Either way the client gets every change once: a subscriber whose socket
       is behind gets one message per write, not one per change, and a change waits for at
       most one write. The plugin keeps one shared copy of each buffer. Any thread. */
    void (*send_superseding)(bridge_plugin *plugin, const bridge_client_id *clients,
                             const uint64_t *streams, size_t count,
                             const uint8_t *combined, size_t combined_len,
                             const uint8_t *alone, size_t alone_len, bridge_status *statuses);
} bridge_plugin_descriptor;

/* Smallest descriptor this host accepts (everything up to close_client). */
#define BRIDGE_PLUGIN_DESCRIPTOR_MIN_SIZE \
    (offsetof(bridge_plugin_descriptor, close_client) + sizeof(void *))

typedef const bridge_plugin_descriptor *(*bridge_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* UNICAT_BRIDGE_PLUGIN_H */
