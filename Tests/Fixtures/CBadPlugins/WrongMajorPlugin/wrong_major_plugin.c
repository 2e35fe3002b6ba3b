/*
 * WrongMajorPlugin: a test fixture the host must refuse, because its descriptor says
 * abi_major 99. Its functions only fail: the host must not call any of them.
 */
#include <stdio.h>

#include "bridge_plugin.h"

static bridge_plugin *refuse_create(const bridge_host_vtable *host, const char *config_json,
                                    char *errbuf, size_t errlen) {
    (void)host;
    (void)config_json;
    if (errbuf != NULL && errlen > 0) snprintf(errbuf, errlen, "WrongMajorPlugin must never be created");
    return NULL;
}

static const bridge_plugin_descriptor descriptor = {
    .abi_major = 99,
    .abi_minor = 0,
    .struct_size = sizeof(bridge_plugin_descriptor),
    .name = "wrong-major",
    .version = "0.0.0",
    .create = refuse_create,
};

const bridge_plugin_descriptor *bridge_plugin_entry(void) { return &descriptor; }
