#ifndef CLIBWEBSOCKETS_SHIM_H
#define CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Computed macros and C varargs do not import into Swift: re-export what we use. */
static inline size_t clws_pre(void) { return LWS_PRE; }
static inline void clws_log_err(const char *msg) { lwsl_err("%s", msg); }
static inline void clws_log_user(const char *msg) { lwsl_user("%s", msg); }

/* SSL_OP_* are computed macros: the options that leave TLS 1.2 as the oldest protocol. */
static inline long clws_ssl_options_tls12_minimum(void) {
    return (long)(SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
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

#endif
