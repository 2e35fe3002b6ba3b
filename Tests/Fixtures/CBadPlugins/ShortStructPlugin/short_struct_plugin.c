/*
 * ShortStructPlugin: a test fixture the host must refuse, because its descriptor's
 * struct_size stops before close_client (smaller than BRIDGE_PLUGIN_DESCRIPTOR_MIN_SIZE),
 * as a plugin built against an older, shorter descriptor would. Its functions only fail.
 */
#include <stdio.h>

#include "bridge_plugin.h"

static bridge_plugin *refuse_create(const bridge_host_vtable *host, const char *config_json,
                                    char *errbuf, size_t errlen) {
    (void)host;
    (void)config_json;
    if (errbuf != NULL && errlen > 0) snprintf(errbuf, errlen, "ShortStructPlugin must never be created");
    return NULL;
}

static const bridge_plugin_descriptor descriptor = {
    .abi_major = BRIDGE_PLUGIN_ABI_MAJOR,
    .abi_minor = BRIDGE_PLUGIN_ABI_MINOR,
    .struct_size = offsetof(bridge_plugin_descriptor, close_client),
    .name = "short-struct",
    .version = "0.0.0",
    .create = refuse_create,
};

const bridge_plugin_descriptor *bridge_plugin_entry(void) { return &descriptor; }
