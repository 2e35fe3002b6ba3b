/* Compile-time checks of the ABI header (a C target needs one source file). */
#include "bridge_plugin.h"

_Static_assert(BRIDGE_PLUGIN_DESCRIPTOR_MIN_SIZE <= sizeof(bridge_plugin_descriptor),
               "the minimum descriptor size must not exceed the descriptor");
_Static_assert(sizeof(bridge_client_id) == 8, "client ids are 64-bit on every platform");
