/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A module that loads but exports no rws_plugin_register(), as a plugin
 * with a misspelled entry point would. */

#include <gmodule.h>
#include <rws.h>

G_MODULE_EXPORT void rws_plugin_init (RwsRegistry *registry);

void
rws_plugin_init (RwsRegistry *registry)
{
}
