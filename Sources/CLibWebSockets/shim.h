#ifndef CLIBWEBSOCKETS_SHIM_H
#define CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

/* Computed macros and C varargs do not import into Swift: re-export what we use. */
static inline size_t clws_pre(void) { return LWS_PRE; }
static inline void clws_log_err(const char *msg) { lwsl_err("%s", msg); }
static inline void clws_log_user(const char *msg) { lwsl_user("%s", msg); }

#endif
