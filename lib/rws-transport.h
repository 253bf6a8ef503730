/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * RwsTransport is the one seam between the client's state machine and the
 * WebSocket implementation: open a connection, send and close it, and
 * report incoming messages, pongs and the end of the connection. libsoup's
 * SoupWebsocketConnection is the first implementation.
 *
 * Events are delivered on the main context that was the thread-default one
 * when the transport was opened. The closed event is always delivered from
 * an idle callback, never from inside rws_transport_send() or
 * rws_transport_close(), so callers may send in a loop without being
 * re-entered. After rws_transport_free() no event is delivered.
 */
typedef struct _RwsTransport RwsTransport;

typedef struct
{
  void (*message) (RwsTransport *transport,
                   gboolean      binary,
                   GBytes       *payload,
                   gpointer      user_data);
  void (*pong)    (RwsTransport *transport,
                   gpointer      user_data);
  /* @code is the close code the peer sent, or 1006 when the connection
   * ended without a close frame; @error is set when an I/O or protocol
   * error ended it. */
  void (*closed)  (RwsTransport *transport,
                   gushort       code,
                   const char   *reason,
                   const GError *error,
                   gpointer      user_data);
} RwsTransportEvents;

void          rws_transport_open_async   (SoupSession         *session,
                                          SoupMessage         *msg,
                                          const char          *origin,
                                          const char * const  *subprotocols,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
RwsTransport *rws_transport_open_finish  (GAsyncResult  *result,
                                          GError       **error);

void          rws_transport_start        (RwsTransport             *transport,
                                          const RwsTransportEvents *events,
                                          gpointer                  user_data,
                                          guint64                   max_payload_size,
                                          guint                     keepalive_interval_ms,
                                          guint                     pong_timeout_ms);
gboolean      rws_transport_has_pong_timeout (void);
gboolean      rws_transport_is_open      (RwsTransport *transport);
const char   *rws_transport_get_subprotocol (RwsTransport *transport);
void          rws_transport_send         (RwsTransport *transport,
                                          gboolean      binary,
                                          GBytes       *payload);
void          rws_transport_close        (RwsTransport *transport,
                                          gushort       code,
                                          const char   *reason);
void          rws_transport_free         (RwsTransport *transport);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsTransport, rws_transport_free)

G_END_DECLS
