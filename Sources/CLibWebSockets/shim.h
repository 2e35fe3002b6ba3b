#ifndef CLIBWEBSOCKETS_SHIM_H
#define CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <string.h>

/* Computed macros and C varargs do not import into Swift: re-export what we use. */
static inline size_t clws_pre(void) { return LWS_PRE; }
static inline void clws_log_err(const char *msg) { lwsl_err("%s", msg); }
static inline void clws_log_user(const char *msg) { lwsl_user("%s", msg); }

/* SSL_OP_* are computed macros: the options that leave TLS 1.2 as the oldest protocol. */
static inline long clws_ssl_options_tls12_minimum(void) {
    return (long)(SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
}

/* An idle TLS connection need not keep OpenSSL's read and write buffers: they are released
   when empty and allocated again for the next record. SSL_CTX_set_mode is a macro. */
static inline void clws_release_idle_tls_buffers(void *ssl_ctx) {
    if (ssl_ctx) SSL_CTX_set_mode((SSL_CTX *)ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
}

/* OpenSSL's own verdict on a client certificate. libwebsockets 4.1's verify callback looks its
   connection up through an SSL ex_data index that every lws context created with
   DO_SSL_GLOBAL_INIT reassigns (the plugin's and the socket.io client's, made as the bridge
   starts): a client certificate checked while another context was being created found no
   connection and crashed the bridge. This one needs no lookup. */
static int clws_client_certificate_verdict(int preverify_ok, X509_STORE_CTX *store) {
    (void)store;
    return preverify_ok;
}

/* Puts clws_client_certificate_verdict in place of libwebsockets' verify callback, keeping the
   verify mode lws set (peer certificate required); a context that verifies nothing is left alone. */
static inline int clws_verify_client_certificates_without_lookup(void *ssl_ctx) {
    if (!ssl_ctx) return 0;
    int mode = SSL_CTX_get_verify_mode((SSL_CTX *)ssl_ctx);
    if (!(mode & SSL_VERIFY_PEER)) return 0;
    SSL_CTX_set_verify((SSL_CTX *)ssl_ctx, mode, clws_client_certificate_verdict);
    return 1;
}

/* A compound option macro, which does not import. */
static inline uint64_t clws_option_require_valid_client_cert(void) {
    return (uint64_t)LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
}

/* HMAC-SHA256 of data under key (OpenSSL, as linked by libwebsockets) into out[32].
   Returns 0 on success. */
static inline int clws_hmac_sha256(const void *key, int key_len, const unsigned char *data, size_t data_len,
                                   unsigned char *out) {
    unsigned int out_len = 0;
    if (!HMAC(EVP_sha256(), key, key_len, data, data_len, out, &out_len) || out_len != 32) return -1;
    return 0;
}

/* RFC 6455 §5.1: a server must close the connection on a client frame that is not masked.
   libwebsockets 4.1.6 neither checks (upstream added the check after 4.1, in "Audit fixes")
   nor lets its user ask, so this reads the frame's mask flag from lws' private state of the
   connection, during LWS_CALLBACK_RECEIVE. The offsets are those of the 4.1.6 sources built
   with the options tested below (Debian's build) on a 64-bit target; they are trusted only
   when the running library is 4.1.6 and the fields around the flag agree with what the
   public accessors report for the same frame. Returns 1 for an unmasked frame, 0 for a
   masked one, -1 when the layout cannot be trusted (the caller cannot check). */
static inline int clws_frame_is_unmasked(struct lws *wsi) {
#if LWS_LIBRARY_VERSION_MAJOR == 4 && LWS_LIBRARY_VERSION_MINOR == 1 && LWS_LIBRARY_VERSION_PATCH == 6 && \
    defined(LWS_ROLE_H1) && defined(LWS_ROLE_H2) && defined(LWS_ROLE_WS) && defined(LWS_WITH_CLIENT) && \
    defined(LWS_WITH_FILE_OPS) && !defined(LWS_WITH_HTTP_PROXY) && !defined(LWS_WITH_RANGES) && \
    !defined(LWS_WITH_ACCESS_LOG) && !defined(LWS_WITH_CGI) && !defined(LWS_WITH_HTTP_STREAM_COMPRESSION) && \
    !defined(LWS_WITHOUT_EXTENSIONS) && !defined(LWS_PLAT_FREERTOS)
    enum {
        ws_in_wsi = 200,         /* struct lws: struct _lws_websocket_related *ws */
        flags_in_ws = 181,       /* its bit fields: final 0x01, frame_is_binary 0x02, this_frame_masked 0x08 */
        packet_length_in_ws = 192, /* size_t rx_packet_length (lws_remaining_packet_payload) */
        rsv_in_ws = 211,         /* uint8_t rsv (lws_get_reserved_bits) */
        revision_in_ws = 217     /* uint8_t ietf_spec_revision: 13 */
    };
    const unsigned char *ws;
    size_t packet_length;
    if (sizeof(void *) != 8 || LWS_PRE != 16 || strncmp(lws_get_library_version(), "4.1.6", 5) != 0) return -1;
    memcpy(&ws, (const unsigned char *)wsi + ws_in_wsi, sizeof ws);
    if (!ws) return -1;
    memcpy(&packet_length, ws + packet_length_in_ws, sizeof packet_length);
    if (ws[revision_in_ws] != 13 || packet_length != lws_remaining_packet_payload(wsi) ||
        ws[rsv_in_ws] != lws_get_reserved_bits(wsi) || !!(ws[flags_in_ws] & 0x02) != !!lws_frame_is_binary(wsi))
        return -1;
    return (ws[flags_in_ws] & 0x08) ? 0 : 1;
#else
    (void)wsi;
    return -1;
#endif
}

#endif
