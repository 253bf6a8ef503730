/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A module whose rws_plugin_register() registers no type, so the name its
 * .plugin file announces stays without a type. */

#include <gmodule.h>
#include <rws.h>

G_MODULE_EXPORT void rws_plugin_register (RwsRegistry *registry);

void
rws_plugin_register (RwsRegistry *registry)
{
}
