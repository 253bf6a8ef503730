/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws-transport.h"

/* RFC 6455 7.4.1: reserved for a connection that ended without a close frame. */
#define CLOSE_ABNORMAL 1006

struct _RwsTransport
{
  SoupWebsocketConnection *connection;
  GMainContext *context;

  const RwsTransportEvents *events;
  gpointer user_data;

  gulong message_id;
  gulong pong_id;
  gulong error_id;
  gulong closed_id;

  GError *error;
  guint closed_source;
};

static void
open_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *connection;
  RwsTransport *transport;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  transport = g_new0 (RwsTransport, 1);
  transport->connection = connection;
  transport->context = g_main_context_ref_thread_default ();
  g_task_return_pointer (task, transport, (GDestroyNotify) rws_transport_free);
}

void
rws_transport_open_async (SoupSession         *session,
                          SoupMessage         *msg,
                          const char          *origin,
                          const char * const  *subprotocols,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, rws_transport_open_async);
  soup_session_websocket_connect_async (session, msg, origin,
                                        (char **) subprotocols,
                                        G_PRIORITY_DEFAULT, cancellable,
                                        open_ready, task);
}

RwsTransport *
rws_transport_open_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_assert (g_task_is_valid (result, NULL));

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_message (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *payload,
            gpointer                 user_data)
{
  RwsTransport *transport = user_data;

  transport->events->message (transport,
                              type == SOUP_WEBSOCKET_DATA_BINARY,
                              payload,
                              transport->user_data);
}

static void
on_pong (SoupWebsocketConnection *connection,
         GBytes                  *payload,
         gpointer                 user_data)
{
  RwsTransport *transport = user_data;

  transport->events->pong (transport, transport->user_data);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  RwsTransport *transport = user_data;

  if (transport->error == NULL)
    transport->error = g_error_copy (error);
}

static gboolean
deliver_closed (gpointer user_data)
{
  RwsTransport *transport = user_data;
  gushort code;
  const char *reason;

  transport->closed_source = 0;

  code = soup_websocket_connection_get_close_code (transport->connection);
  reason = soup_websocket_connection_get_close_data (transport->connection);

  /* libsoup reports 0 when no close frame arrived, and 1005 when one
   * arrived without a code. */
  if (code == 0)
    code = CLOSE_ABNORMAL;

  /* The handler may free the transport, so nothing touches it afterwards. */
  transport->events->closed (transport, code, reason, transport->error, transport->user_data);

  return G_SOURCE_REMOVE;
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  RwsTransport *transport = user_data;
  GSource *source;

  if (transport->closed_source != 0)
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_closed, transport, NULL);
  g_source_set_static_name (source, "[rws] transport closed");
  transport->closed_source = g_source_attach (source, transport->context);
  g_source_unref (source);
}

/* The keepalive interval of libsoup is in whole seconds, so intervals are
 * rounded up: 1 ms to 1000 ms becomes 1 s. */
/* libsoup 3.6 added a pong timeout of its own; with older versions the
 * client keeps the deadline itself from the pong signal. */
gboolean
rws_transport_has_pong_timeout (void)
{
#if SOUP_CHECK_VERSION (3, 6, 0)
  return TRUE;
#else
  return FALSE;
#endif
}

void
rws_transport_start (RwsTransport             *transport,
                     const RwsTransportEvents *events,
                     gpointer                  user_data,
                     guint64                   max_payload_size,
                     guint                     keepalive_interval_ms,
                     guint                     pong_timeout_ms)
{
  SoupWebsocketConnection *connection = transport->connection;

  transport->events = events;
  transport->user_data = user_data;

  soup_websocket_connection_set_max_incoming_payload_size (connection, max_payload_size);
  soup_websocket_connection_set_keepalive_interval (connection,
                                                    (keepalive_interval_ms + 999) / 1000);
#if SOUP_CHECK_VERSION (3, 6, 0)
  /* NOTE: this branch is not built with the libsoup 3.2 of Debian 12, so
   * no test runs it. A connection that libsoup closes for a missing pong
   * is reported as a lost connection, not as RWS_ERROR_PEER_TIMEOUT. */
  if (keepalive_interval_ms > 0)
    soup_websocket_connection_set_keepalive_pong_timeout (connection, (pong_timeout_ms + 999) / 1000);
#else
  (void) pong_timeout_ms;
#endif

  transport->message_id = g_signal_connect (connection, "message", G_CALLBACK (on_message), transport);
  transport->pong_id = g_signal_connect (connection, "pong", G_CALLBACK (on_pong), transport);
  transport->error_id = g_signal_connect (connection, "error", G_CALLBACK (on_error), transport);
  transport->closed_id = g_signal_connect (connection, "closed", G_CALLBACK (on_closed), transport);

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_CLOSED)
    on_closed (connection, transport);
}

gboolean
rws_transport_is_open (RwsTransport *transport)
{
  return soup_websocket_connection_get_state (transport->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

const char *
rws_transport_get_subprotocol (RwsTransport *transport)
{
  return soup_websocket_connection_get_protocol (transport->connection);
}

void
rws_transport_send (RwsTransport *transport,
                    gboolean      binary,
                    GBytes       *payload)
{
  g_assert (rws_transport_is_open (transport));

  soup_websocket_connection_send_message (transport->connection,
                                          binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                          payload);
}

void
rws_transport_close (RwsTransport *transport,
                     gushort       code,
                     const char   *reason)
{
  if (soup_websocket_connection_get_state (transport->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (transport->connection, code, reason);
}

/* Cuts the socket at once if it is still open: no close frame is sent and
 * no event is delivered any more. */
void
rws_transport_free (RwsTransport *transport)
{
  if (transport == NULL)
    return;

  if (transport->connection != NULL)
    {
      g_clear_signal_handler (&transport->message_id, transport->connection);
      g_clear_signal_handler (&transport->pong_id, transport->connection);
      g_clear_signal_handler (&transport->error_id, transport->connection);
      g_clear_signal_handler (&transport->closed_id, transport->connection);

      if (soup_websocket_connection_get_state (transport->connection) != SOUP_WEBSOCKET_STATE_CLOSED)
        g_io_stream_close (soup_websocket_connection_get_io_stream (transport->connection), NULL, NULL);

      g_clear_object (&transport->connection);
    }

  if (transport->closed_source != 0)
    {
      GSource *source = g_main_context_find_source_by_id (transport->context, transport->closed_source);

      if (source != NULL)
        g_source_destroy (source);
      transport->closed_source = 0;
    }

  g_clear_pointer (&transport->context, g_main_context_unref);
  g_clear_error (&transport->error);
  g_free (transport);
}
