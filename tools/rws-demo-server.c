/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The feed server of "rws demo", in the same process as the client. It
 * listens on 127.0.0.1 at a port the system picks and serves WebSocket
 * connections on FEED_PATH:
 *
 * - every TICK_INTERVAL_MS it sends {"tick": N, "uptime_ms": T} to every
 *   client. N is one counter for the whole server, so a client misses the
 *   ticks sent while it is disconnected.
 * - it echoes every message it receives, with the same frame type.
 * - every DROP_MIN_MS to DROP_MAX_MS it drops its clients in the next way
 *   from drop_cycle. A drop ends the connection without a close frame, or
 *   sends a close frame with one of several codes. Once per run, it also
 *   rejects the next upgrade request with 503.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "rws-demo-server.h"

#define FEED_PATH "/feed"
#define TICK_INTERVAL_MS 50
#define DROP_MIN_MS 500
#define DROP_MAX_MS 2500
/* Seconds sent in the Retry-After header of the 503 response. */
#define REJECTION_RETRY_AFTER "1"

/* A close code from the range 4000-4999, which applications define. */
#define CLOSE_DEMO_APPLICATION 4000

typedef enum
{
  DROP_ABRUPT,  /* close the TCP connection without a close frame */
  DROP_CLOSE,   /* send a close frame with code and reason */
  DROP_REJECT,  /* send a close frame, then reject the next upgrade with 503 */
} DropKind;

typedef struct
{
  DropKind kind;
  gushort code;
  const char *reason;
} Drop;

/* NOTE: 1012 (service restart) and 1013 (try again later) are missing
 * because libsoup 3.2.3 sends a close frame with code 1002 (protocol
 * error) in place of either. */
static const Drop drop_cycle[] = {
  { DROP_ABRUPT, 0, NULL },
  { DROP_CLOSE, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "going away" },
  { DROP_CLOSE, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "internal error" },
  { DROP_REJECT, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "restarting" },
  { DROP_ABRUPT, 0, NULL },
  { DROP_CLOSE, SOUP_WEBSOCKET_CLOSE_NORMAL, "normal closure" },
  { DROP_CLOSE, CLOSE_DEMO_APPLICATION, "demo application close" },
};

struct _RwsDemoServer
{
  SoupServer *server;
  char *url;
  gint64 start_time;

  /* Open connections, which receive ticks and may be dropped. */
  GPtrArray *connections;
  /* Dropped connections that have not emitted "closed" yet. */
  GPtrArray *dropping;

  guint64 ticks;
  guint tick_source;

  guint drop_source;
  gsize next_drop;
  guint drops;
  gboolean rejected_once;
  /* Whether the next upgrade request gets a 503 response. */
  gboolean reject_next_upgrade;
};

static void
on_connection_message (SoupWebsocketConnection *connection,
                       SoupWebsocketDataType    type,
                       GBytes                  *message,
                       RwsDemoServer           *self)
{
  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (connection, type, message);
}

static void
on_connection_closed (SoupWebsocketConnection *connection,
                      RwsDemoServer           *self)
{
  g_signal_handlers_disconnect_by_data (connection, self);

  /* Each array owns a reference, and the connection is in at most one. */
  if (!g_ptr_array_remove (self->connections, connection))
    g_ptr_array_remove (self->dropping, connection);

  g_debug ("Server: a connection closed, %u open, %u dropped and not closed yet",
           self->connections->len, self->dropping->len);
}

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  RwsDemoServer *self = user_data;

  g_signal_connect (connection, "message", G_CALLBACK (on_connection_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_connection_closed), self);
  g_ptr_array_add (self->connections, g_object_ref (connection));

  g_debug ("Server: accepted a WebSocket connection, %u open", self->connections->len);
}

/* Rejects an upgrade request with 503 and Retry-After after a DROP_REJECT
 * drop. SoupServer skips the WebSocket handler for a message that already
 * has a status. */
static void
on_early_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  RwsDemoServer *self = user_data;

  if (!self->reject_next_upgrade)
    return;

  self->reject_next_upgrade = FALSE;
  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", REJECTION_RETRY_AFTER);
  /* Translators: the value is a number of seconds. */
  g_message (_("server: rejected the upgrade with 503 Service Unavailable, Retry-After: %s s"),
             REJECTION_RETRY_AFTER);
}

static gboolean
on_tick (gpointer user_data)
{
  RwsDemoServer *self = user_data;
  g_autofree char *text = NULL;
  gint64 uptime_ms;

  self->ticks++;
  uptime_ms = (g_get_monotonic_time () - self->start_time) / 1000;
  text = g_strdup_printf ("{\"tick\": %" G_GUINT64_FORMAT ", \"uptime_ms\": %" G_GINT64_FORMAT "}",
                          self->ticks, uptime_ms);

  for (guint i = 0; i < self->connections->len; i++)
    {
      SoupWebsocketConnection *connection = g_ptr_array_index (self->connections, i);

      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (connection, text);
    }

  return G_SOURCE_CONTINUE;
}

static void
drop_connection (RwsDemoServer           *self,
                 SoupWebsocketConnection *connection,
                 const Drop              *drop)
{
  switch (drop->kind)
    {
    case DROP_ABRUPT:
      /* The client sees the stream end without a close frame, as when a
       * server crashes or a NAT gateway drops the connection's mapping. */
      g_io_stream_close (soup_websocket_connection_get_io_stream (connection), NULL, NULL);
      break;

    case DROP_CLOSE:
    case DROP_REJECT:
      soup_websocket_connection_close (connection, drop->code, drop->reason);
      break;
    }
}

static void schedule_drop (RwsDemoServer *self);

static gboolean
on_drop (gpointer user_data)
{
  RwsDemoServer *self = user_data;
  const Drop *drop;

  self->drop_source = 0;

  if (self->connections->len == 0)
    {
      schedule_drop (self);
      return G_SOURCE_REMOVE;
    }

  /* The 503 rejection happens once per run. */
  drop = &drop_cycle[self->next_drop];
  if (drop->kind == DROP_REJECT && self->rejected_once)
    {
      self->next_drop = (self->next_drop + 1) % G_N_ELEMENTS (drop_cycle);
      drop = &drop_cycle[self->next_drop];
    }
  self->next_drop = (self->next_drop + 1) % G_N_ELEMENTS (drop_cycle);

  switch (drop->kind)
    {
    case DROP_ABRUPT:
      g_message ("%s", _("server: dropping the connection without a close frame"));
      break;
    case DROP_CLOSE:
      /* Translators: the values are a WebSocket close code and its reason. */
      g_message (_("server: closing the connection with code %u (%s)"), drop->code, drop->reason);
      break;
    case DROP_REJECT:
      /* Translators: the values are a WebSocket close code and its reason. */
      g_message (_("server: closing the connection with code %u (%s) and rejecting the next upgrade"),
                 drop->code, drop->reason);
      self->rejected_once = TRUE;
      self->reject_next_upgrade = TRUE;
      break;
    }

  /* Connections leave the tick list at once. They stay referenced in
   * self->dropping until they emit "closed". */
  while (self->connections->len > 0)
    {
      SoupWebsocketConnection *connection = g_ptr_array_steal_index (self->connections, 0);

      g_ptr_array_add (self->dropping, connection);
      drop_connection (self, connection, drop);
    }

  self->drops++;
  schedule_drop (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_drop (RwsDemoServer *self)
{
  guint delay_ms = g_random_int_range (DROP_MIN_MS, DROP_MAX_MS + 1);

  self->drop_source = g_timeout_add (delay_ms, on_drop, self);
}

/* Starts the server on 127.0.0.1 at a port the system picks. */
RwsDemoServer *
rws_demo_server_new (GError **error)
{
  g_autoptr(RwsDemoServer) self = g_new0 (RwsDemoServer, 1);
  GSList *uris;
  guint port;

  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->dropping = g_ptr_array_new_with_free_func (g_object_unref);
  self->start_time = g_get_monotonic_time ();

  self->server = soup_server_new ("server-header", "rws-demo ", NULL);
  soup_server_add_early_handler (self->server, FEED_PATH, on_early_request, self, NULL);
  soup_server_add_websocket_handler (self->server, FEED_PATH, NULL, NULL, on_websocket, self, NULL);

  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;

  uris = soup_server_get_uris (self->server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->url = g_strdup_printf ("ws://127.0.0.1:%u" FEED_PATH, port);
  self->tick_source = g_timeout_add (TICK_INTERVAL_MS, on_tick, self);
  schedule_drop (self);

  return g_steal_pointer (&self);
}

void
rws_demo_server_free (RwsDemoServer *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->drop_source, g_source_remove);

  for (guint i = 0; self->connections != NULL && i < self->connections->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->connections, i), self);
  for (guint i = 0; self->dropping != NULL && i < self->dropping->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->dropping, i), self);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->dropping, g_ptr_array_unref);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->url);
  g_free (self);
}

/* Returns the ws:// URL of the feed. */
char *
rws_demo_server_get_url (RwsDemoServer *self)
{
  return g_strdup (self->url);
}

/* Stops dropping clients, so the client's queue can drain before the
 * tally. Ticks and echoes go on. */
void
rws_demo_server_stop_drops (RwsDemoServer *self)
{
  g_clear_handle_id (&self->drop_source, g_source_remove);
  self->reject_next_upgrade = FALSE;
}

/* Returns how many times the server dropped its clients. */
guint
rws_demo_server_get_drops (RwsDemoServer *self)
{
  return self->drops;
}

/* Returns how many ticks the server has sent, to each open connection. */
guint64
rws_demo_server_get_ticks (RwsDemoServer *self)
{
  return self->ticks;
}
