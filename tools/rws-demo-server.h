/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The peer of "rws demo": a WebSocket server on 127.0.0.1 that sends
 * numbered ticks, echoes what it receives and drops its clients now and
 * then. Its sources and connections run on the global default main
 * context.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RwsDemoServer RwsDemoServer;

RwsDemoServer *rws_demo_server_new          (GError **error);
void           rws_demo_server_free         (RwsDemoServer *self);
char          *rws_demo_server_get_url      (RwsDemoServer *self);
void           rws_demo_server_stop_drops   (RwsDemoServer *self);
guint          rws_demo_server_get_drops    (RwsDemoServer *self);
guint64        rws_demo_server_get_ticks    (RwsDemoServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsDemoServer, rws_demo_server_free)

G_END_DECLS
