/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The connection state machine of RwsClient.
 *
 * An attempt goes through these phases, each of which can fail into the
 * same retry path (schedule_retry):
 *
 *  1. Reachability: with watch-network set, the network monitor is asked
 *     whether the endpoint's own address can be reached. If not, the
 *     client waits in WAITING with no timer until the monitor reports a
 *     change and the address is reachable again.
 *  2. Resolve, TCP, TLS and HTTP upgrade: libsoup does these in one
 *     operation, bounded as a whole by handshake-timeout. The
 *     prepare-handshake signal runs just before, in CONNECTING.
 *  3. OPEN: the WebSocket is up and `connected` is emitted. The protocol
 *     handshake runs here; the built-in raw protocol has none.
 *  4. READY: `ready` is emitted (subscriptions are restored here once
 *     protocols exist), then the queue drains.
 *
 * While a connection is open, the liveness timer checks pong-timeout and
 * idle-timeout against the time of the last incoming frame, and the
 * stable timer resets the backoff after stable-after.
 *
 * Every signal handler may call back into the client (close, reconnect,
 * start, send) or drop the last reference. Each function that emits holds
 * a reference, arms its timers before emitting, and compares the epoch
 * after each emission to see whether a handler took over.
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "rws-client-private.h"
#include "rws-protocol-private.h"

/* How long rws_client_close() waits for the peer's close frame. */
#define CLOSE_TIMEOUT_MS 2000

/* How long a retired connection may wait for the peer's close frame
 * before it is cut. */
#define RETIRE_TIMEOUT_MS 2000

struct _RwsAttempt
{
  RwsClient *client;  /* NULL once the client let go of the attempt */
  GCancellable *cancellable;
  SoupMessage *msg;
  char *url;
  /* The connection libsoup made for the upgrade, from network-event. */
  GIOStream *stream;
  guint timeout_source;
  gboolean timed_out;
  gboolean started;
};

enum {
  SIGNAL_PREPARE_HANDSHAKE,
  SIGNAL_CONNECTED,
  SIGNAL_READY,
  SIGNAL_MESSAGE,
  SIGNAL_RECONNECTING,
  SIGNAL_DISCONNECTED,
  SIGNAL_ERROR,
  SIGNAL_CLOSED,
};

/* Defined in rws-client.c. */
extern guint rws_client_signals[];

static void begin_attempt (RwsClient *self);
static void attempt_connect (RwsClient *self);
static void schedule_retry (RwsClient    *self,
                            const GError *error,
                            gboolean      fatal,
                            gint64        retry_after_ms,
                            gboolean      rotate_url);

const char *
rws_state_to_string (RwsState state)
{
  switch (state)
    {
    case RWS_STATE_DISCONNECTED: return "disconnected";
    case RWS_STATE_CONNECTING: return "connecting";
    case RWS_STATE_OPEN: return "open";
    case RWS_STATE_READY: return "ready";
    case RWS_STATE_WAITING: return "waiting";
    case RWS_STATE_CLOSING: return "closing";
    case RWS_STATE_CLOSED: return "closed";
    case RWS_STATE_FAILED: return "failed";
    default: return "unknown";
    }
}

static const char *
current_url (RwsClient *self);

const char *
rws_client_get_current_url_internal (RwsClient *self)
{
  return current_url (self);
}

static const char *
current_url (RwsClient *self)
{
  guint n_fallbacks = self->fallback_urls != NULL ? g_strv_length (self->fallback_urls) : 0;
  guint index = self->url_index % (n_fallbacks + 1);

  return index == 0 ? self->url : self->fallback_urls[index - 1];
}

void
rws_client_set_state (RwsClient *self,
                      RwsState   state)
{
  if (self->state == state)
    return;

  if (G_UNLIKELY (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE))
    {
      g_autofree char *redacted = rws_policy_redact_url (current_url (self));

      g_debug ("%s: %s -> %s", redacted,
               rws_state_to_string (self->state), rws_state_to_string (state));
    }

  self->state = state;
  g_object_notify (G_OBJECT (self), "state");
}

static void
set_last_error (RwsClient    *self,
                const GError *error)
{
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
}

static void
emit_error (RwsClient    *self,
            const GError *error)
{
  set_last_error (self, error);
  g_signal_emit (self, rws_client_signals[SIGNAL_ERROR], 0, error);
}

static void
complete_start_tasks (RwsClient    *self,
                      const GError *error)
{
  GList *tasks = g_steal_pointer (&self->start_tasks);

  for (GList *l = tasks; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error == NULL)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_error_copy (error));
    }

  g_list_free_full (tasks, g_object_unref);
}

/* Attempts. */

static void
attempt_free (RwsAttempt *attempt)
{
  g_clear_object (&attempt->cancellable);
  g_clear_object (&attempt->msg);
  g_clear_object (&attempt->stream);
  g_clear_pointer (&attempt->url, g_free);
  g_free (attempt);
}

/* Lets go of the attempt in flight: its operation is cancelled and its
 * completion callback frees it without touching the client. */
static void
detach_attempt (RwsClient *self)
{
  RwsAttempt *attempt = g_steal_pointer (&self->attempt);

  if (attempt == NULL)
    return;

  g_clear_handle_id (&attempt->timeout_source, g_source_remove);
  attempt->client = NULL;
  g_cancellable_cancel (attempt->cancellable);

  if (!attempt->started)
    attempt_free (attempt);
}

/* Connections. */

static void
retiring_free (RwsClient *self)
{
  g_clear_handle_id (&self->retiring_source, g_source_remove);
  g_clear_pointer (&self->retiring, rws_transport_free);
}

static gboolean
retiring_timeout (gpointer user_data)
{
  RwsClient *self = user_data;

  self->retiring_source = 0;
  retiring_free (self);

  return G_SOURCE_REMOVE;
}

static void
stop_connection_timers (RwsClient *self)
{
  g_clear_handle_id (&self->stable_source, g_source_remove);
  g_clear_handle_id (&self->liveness_source, g_source_remove);
}

/* Ends the live connection. With @graceful, a close frame is sent and the
 * connection waits a little for the peer's close frame. It is cut at the
 * latest when the next attempt starts. */
static void
drop_transport (RwsClient  *self,
                gboolean    graceful,
                gushort     code,
                const char *reason)
{
  RwsTransport *transport = g_steal_pointer (&self->transport);

  stop_connection_timers (self);
  rws_client_set_send_ready (self, FALSE);

  if (transport == NULL)
    return;

  rws_client_connection_ended (self);

  if (graceful && rws_transport_is_open (transport))
    {
      retiring_free (self);
      rws_transport_close (transport, code, reason);
      self->retiring = transport;
      self->retiring_source = g_timeout_add_full (G_PRIORITY_DEFAULT, RETIRE_TIMEOUT_MS,
                                                  retiring_timeout, self, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (self->context, self->retiring_source),
                                "[rws] retire connection");
    }
  else
    {
      rws_transport_free (transport);
    }
}

/* Liveness. All deadlines run from the last incoming frame. */

static gint64
liveness_deadline (RwsClient *self)
{
  gint64 deadline = G_MAXINT64;

  if (self->idle_timeout > 0)
    deadline = self->last_receive_time + (gint64) self->idle_timeout * 1000;

  if (self->keepalive_interval > 0 && self->pong_timeout > 0 &&
      !rws_transport_has_pong_timeout ())
    {
      /* libsoup pings every whole second of the interval, rounded up, from
       * a g_timeout_source_new_seconds() timer that may fire up to a second
       * late, so the deadline allows one more second. */
      gint64 interval_ms = ((gint64) self->keepalive_interval + 999) / 1000 * 1000 + 1000;

      deadline = MIN (deadline,
                      self->last_receive_time + (interval_ms + self->pong_timeout) * 1000);
    }

  return deadline;
}

static gboolean liveness_check (gpointer user_data);

static void
arm_liveness (RwsClient *self)
{
  gint64 deadline = liveness_deadline (self);
  gint64 now;
  guint delay_ms;

  g_clear_handle_id (&self->liveness_source, g_source_remove);

  if (deadline == G_MAXINT64)
    return;

  now = g_get_monotonic_time ();
  delay_ms = deadline <= now ? 0 : (guint) MIN ((deadline - now + 999) / 1000, G_MAXUINT);
  self->liveness_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, liveness_check, self, NULL);
}

static gboolean
liveness_check (gpointer user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = g_object_ref (self);

  self->liveness_source = 0;

  if (g_get_monotonic_time () < liveness_deadline (self))
    {
      arm_liveness (self);
      return G_SOURCE_REMOVE;
    }

  rws_client_inject_peer_timeout (self);

  return G_SOURCE_REMOVE;
}

static gboolean
stable_reached (gpointer user_data)
{
  RwsClient *self = user_data;

  self->stable_source = 0;
  rws_backoff_reset (self->backoff);
  g_debug ("connection stable for %u ms: backoff reset", self->stable_after);

  return G_SOURCE_REMOVE;
}

/* Transport events. */

static void
on_transport_message (RwsTransport *transport,
                      gboolean      binary,
                      GBytes       *payload,
                      gpointer      user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = NULL;

  if (transport != self->transport)
    return;

  hold = g_object_ref (self);
  self->last_receive_time = g_get_monotonic_time ();
  self->messages_in++;
  self->bytes_in += g_bytes_get_size (payload);

  /* The protocol parses the envelope and delivers the payload. */
  rws_client_frame_received (self, payload, binary);
}

static void
on_transport_pong (RwsTransport *transport,
                   gpointer      user_data)
{
  RwsClient *self = user_data;

  if (transport == self->transport)
    self->last_receive_time = g_get_monotonic_time ();
}

static void finish_close (RwsClient  *self,
                          gboolean    had_connection,
                          gushort     code,
                          const char *reason);

static void
on_transport_closed (RwsTransport *transport,
                     gushort       code,
                     const char   *reason,
                     const GError *error,
                     gpointer      user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = g_object_ref (self);

  if (transport == self->retiring)
    {
      retiring_free (self);
      return;
    }

  if (transport != self->transport)
    return;

  if (self->state == RWS_STATE_CLOSING)
    {
      finish_close (self, TRUE, code, reason);
      return;
    }

  rws_client_connection_lost (self, code, reason, error);
}

static const RwsTransportEvents transport_events = {
  on_transport_message,
  on_transport_pong,
  on_transport_closed,
};

/* Readiness. */

void
rws_client_mark_ready (RwsClient *self)
{
  guint epoch = self->epoch;

  rws_client_set_state (self, RWS_STATE_READY);
  if (epoch != self->epoch || self->state != RWS_STATE_READY)
    return;

  self->in_ready_emission = TRUE;
  g_signal_emit (self, rws_client_signals[SIGNAL_READY], 0);
  self->in_ready_emission = FALSE;
  if (epoch != self->epoch || self->state != RWS_STATE_READY)
    return;

  complete_start_tasks (self, NULL);
  if (epoch != self->epoch || self->state != RWS_STATE_READY)
    return;

  rws_client_set_send_ready (self, TRUE);
  rws_client_drain_queue (self);
}

static void
connection_opened (RwsClient    *self,
                   RwsTransport *transport)
{
  guint epoch;

  self->epoch++;
  epoch = self->epoch;

  retiring_free (self);
  self->transport = transport;
  if (self->has_connected)
    self->reconnects++;
  self->has_connected = TRUE;
  self->last_receive_time = g_get_monotonic_time ();

  rws_transport_start (transport, &transport_events, self,
                       self->max_payload_size, self->keepalive_interval,
                       self->pong_timeout);
  rws_client_connection_started (self);

  arm_liveness (self);
  if (self->stable_after > 0)
    self->stable_source = g_timeout_add_full (G_PRIORITY_DEFAULT, self->stable_after,
                                              stable_reached, self, NULL);
  else
    rws_backoff_reset (self->backoff);

  rws_client_set_state (self, RWS_STATE_OPEN);
  if (epoch != self->epoch || self->state != RWS_STATE_OPEN)
    return;

  g_signal_emit (self, rws_client_signals[SIGNAL_CONNECTED], 0);
  if (epoch != self->epoch || self->state != RWS_STATE_OPEN)
    return;

  /* Phase 3: the protocol handshake. The protocol calls
   * rws_protocol_mark_ready() when it is done, at once for raw. */
  rws_protocol_opened (self->protocol_instance);
}

static void
attempt_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RwsAttempt *attempt = user_data;
  RwsClient *self = attempt->client;
  g_autoptr(RwsClient) hold = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) rws_error = NULL;
  RwsTransport *transport;
  const char *retry_after;
  guint retry_after_ms = 0;
  gint64 retry_delay = -1;
  guint status;

  transport = rws_transport_open_finish (result, &error);

  if (self == NULL)
    {
      g_clear_pointer (&transport, rws_transport_free);
      attempt_free (attempt);
      return;
    }

  hold = g_object_ref (self);
  g_assert (self->attempt == attempt);
  self->attempt = NULL;
  g_clear_handle_id (&attempt->timeout_source, g_source_remove);

  status = soup_message_get_status (attempt->msg);
  self->http_status = status;

  if (transport != NULL)
    {
      attempt_free (attempt);
      connection_opened (self, transport);
      return;
    }

  rws_error = rws_policy_handshake_error (error, status, attempt->url,
                                          attempt->timed_out, self->handshake_timeout);

  /* libsoup keeps the connection of a refused upgrade in its pool for
   * reuse. A WebSocket client has no use for it, and a closed client must
   * leave no socket open, so it is closed here. */
  if (attempt->stream != NULL)
    g_io_stream_close (attempt->stream, NULL, NULL);

  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (attempt->msg),
                                              "Retry-After");
  if ((status == RWS_HTTP_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE) &&
      rws_policy_parse_retry_after (retry_after, g_get_real_time () / G_USEC_PER_SEC, &retry_after_ms))
    retry_delay = retry_after_ms;

  attempt_free (attempt);

  schedule_retry (self, rws_error,
                  rws_policy_handshake_is_fatal (error, status),
                  retry_delay, TRUE);
}

static gboolean
attempt_timeout (gpointer user_data)
{
  RwsAttempt *attempt = user_data;

  attempt->timeout_source = 0;
  attempt->timed_out = TRUE;
  g_cancellable_cancel (attempt->cancellable);

  return G_SOURCE_REMOVE;
}

static gboolean
accept_certificate (SoupMessage          *msg,
                    GTlsCertificate      *certificate,
                    GTlsCertificateFlags  errors,
                    gpointer              user_data)
{
  RwsClient *self = user_data;
  g_autoptr(GSocketConnectable) identity = NULL;
  GUri *uri = soup_message_get_uri (msg);
  GTlsCertificateFlags result;

  if (self->tls_database == NULL)
    return FALSE;

  identity = g_network_address_new (g_uri_get_host (uri), g_uri_get_port (uri));
  result = g_tls_database_verify_chain (self->tls_database, certificate,
                                        G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                        identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                        NULL, NULL);

  return result == 0;
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  RwsAttempt *attempt = user_data;

  if (event == G_SOCKET_CLIENT_COMPLETE)
    g_set_object (&attempt->stream, connection);
}

static SoupMessage *
build_message (RwsClient   *self,
               const char  *url,
               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) http_uri = NULL;
  SoupMessage *msg;
  SoupMessageHeaders *headers;
  GHashTableIter iter;
  gpointer name, value;
  const char *scheme;

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, error);
  if (uri == NULL)
    return NULL;

  scheme = g_ascii_strcasecmp (g_uri_get_scheme (uri), "wss") == 0 ? "https" : "http";
  http_uri = g_uri_build (G_URI_FLAGS_ENCODED, scheme, g_uri_get_userinfo (uri),
                          g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                          g_uri_get_query (uri), NULL);

  msg = soup_message_new_from_uri (SOUP_METHOD_GET, http_uri);
  headers = soup_message_get_request_headers (msg);

  g_hash_table_iter_init (&iter, self->headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    soup_message_headers_replace (headers, name, value);

  if (self->tls_database != NULL)
    g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (accept_certificate), self, 0);

  return msg;
}

/* Phase 2: prepare-handshake, then resolve, TCP, TLS and the upgrade. */
static void
attempt_connect (RwsClient *self)
{
  g_autoptr(GError) error = NULL;
  RwsAttempt *attempt;
  const char *url = current_url (self);
  guint epoch;

  g_assert (self->attempt == NULL);
  g_assert (self->transport == NULL);

  /* At most one socket is live: a connection still waiting for the
   * peer's close frame is cut now. */
  retiring_free (self);

  self->epoch++;
  epoch = self->epoch;

  if (!rws_policy_validate_url (url, &error))
    {
      schedule_retry (self, error, TRUE, -1, TRUE);
      return;
    }

  attempt = g_new0 (RwsAttempt, 1);
  attempt->client = self;
  attempt->cancellable = g_cancellable_new ();
  attempt->url = g_strdup (url);
  attempt->msg = build_message (self, url, &error);
  if (attempt->msg == NULL)
    {
      attempt_free (attempt);
      schedule_retry (self, error, TRUE, -1, TRUE);
      return;
    }

  g_signal_connect (attempt->msg, "network-event", G_CALLBACK (on_network_event), attempt);

  self->attempt = attempt;
  rws_client_set_state (self, RWS_STATE_CONNECTING);
  if (epoch != self->epoch || self->attempt != attempt)
    return;

  g_signal_emit (self, rws_client_signals[SIGNAL_PREPARE_HANDSHAKE], 0, attempt->msg);
  if (epoch != self->epoch || self->attempt != attempt)
    return;

  if (self->handshake_timeout > 0)
    attempt->timeout_source = g_timeout_add_full (G_PRIORITY_DEFAULT, self->handshake_timeout,
                                                  attempt_timeout, attempt, NULL);

  attempt->started = TRUE;
  {
    g_auto(GStrv) subprotocols = rws_client_dup_subprotocols (self);

    rws_transport_open_async (self->session, attempt->msg, self->origin,
                              (const char * const *) subprotocols,
                              attempt->cancellable, attempt_ready, attempt);
  }
}

/* Phase 1: reachability. */

static void
reach_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RwsClient *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean reachable;

  reachable = g_network_monitor_can_reach_finish (G_NETWORK_MONITOR (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  g_clear_object (&self->reach_cancellable);

  /* Only a missing route means the network is down. Any other failure,
   * such as a host name that does not resolve, goes to a real attempt,
   * which fails through the backoff and counts against max-attempts. */
  if (!reachable &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    {
      g_debug ("reachability of the endpoint unknown (%s): trying it",
               error != NULL ? error->message : "no error");
      reachable = TRUE;
    }

  if (reachable)
    {
      if (self->waiting_for_network || self->network_lost)
        {
          g_debug ("endpoint reachable again: connecting at once");
          rws_backoff_reset (self->backoff);
        }
      self->waiting_for_network = FALSE;
      self->network_lost = FALSE;
      attempt_connect (self);
    }
  else
    {
      g_debug ("endpoint not reachable (%s): waiting for the network",
               error != NULL ? error->message : "no route");
      self->waiting_for_network = TRUE;
      rws_client_set_state (self, RWS_STATE_WAITING);
    }

  g_object_unref (self);
}

static GSocketConnectable *
endpoint_connectable (RwsClient *self)
{
  g_autoptr(GUri) uri = g_uri_parse (current_url (self), G_URI_FLAGS_ENCODED, NULL);
  int port;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;

  port = g_uri_get_port (uri);
  if (port <= 0)
    port = g_ascii_strcasecmp (g_uri_get_scheme (uri), "wss") == 0 ? 443 : 80;

  return g_network_address_new (g_uri_get_host (uri), (guint16) port);
}

static void
begin_attempt (RwsClient *self)
{
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_clear_handle_id (&self->retry_source, g_source_remove);

  if (self->reach_cancellable != NULL)
    return;

  if (self->watch_network && self->network_monitor != NULL)
    connectable = endpoint_connectable (self);

  if (connectable == NULL)
    {
      attempt_connect (self);
      return;
    }

  /* The result arrives from the main loop, so the attempt waits in the
   * current state for it. */
  self->reach_cancellable = g_cancellable_new ();
  g_network_monitor_can_reach_async (self->network_monitor, connectable,
                                     self->reach_cancellable, reach_ready,
                                     g_object_ref (self));
  rws_client_set_state (self, RWS_STATE_CONNECTING);
}

static void
cancel_reach (RwsClient *self)
{
  if (self->reach_cancellable != NULL)
    {
      g_cancellable_cancel (self->reach_cancellable);
      g_clear_object (&self->reach_cancellable);
    }
  self->waiting_for_network = FALSE;
}

/* A change of the network while the client waits re-checks the endpoint
 * at once. If it cannot be reached, the client waits for the next change
 * with no timer. If it can, the attempt starts without waiting out the
 * backoff delay. */
static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = NULL;

  if (!self->watch_network)
    return;

  if (!available)
    self->network_lost = TRUE;

  if (self->state != RWS_STATE_WAITING || self->reach_cancellable != NULL)
    return;

  hold = g_object_ref (self);
  begin_attempt (self);
}

void
rws_client_network_init (RwsClient *self)
{
  if (self->network_monitor == NULL)
    self->network_monitor = g_object_ref (g_network_monitor_get_default ());

  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (on_network_changed), self);
}

/* Retries. */

static gboolean
retry_timeout (gpointer user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = g_object_ref (self);

  self->retry_source = 0;
  begin_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
enter_failed (RwsClient    *self,
              const GError *error)
{
  g_autoptr(GError) error_copy = NULL;
  guint epoch = self->epoch;

  /* A clean close from the peer carries no error of its own: the client
   * gives up with the last error it stored. The copy outlives emit_error(),
   * which replaces the last error. */
  if (error != NULL)
    error_copy = g_error_copy (error);
  else if (self->last_error != NULL)
    error_copy = g_error_copy (self->last_error);
  else
    error_copy = g_error_new (RWS_ERROR, RWS_ERROR_CONNECTION_FAILED,
                        /* Translators: the value is a count of attempts. */
                        _("Gave up after %d failed attempts in a row"),
                        self->max_attempts);
  error = error_copy;

  /* The error comes first, so a handler of notify::state finds it as the
   * last error, while a handler of error still reads the earlier state. */
  emit_error (self, error);
  if (epoch != self->epoch)
    return;

  rws_client_set_state (self, RWS_STATE_FAILED);
  if (epoch != self->epoch)
    return;

  complete_start_tasks (self, error);
}

/*
 * Counts one failed attempt and either gives up or waits before the next.
 *
 * @retry_after_ms is the server's Retry-After in milliseconds, or -1.
 * @rotate_url moves to the next fallback URL, which failover does after a
 * failed attempt but not after a connection that was up and dropped.
 */
static void
schedule_retry (RwsClient    *self,
                const GError *error,
                gboolean      fatal,
                gint64        retry_after_ms,
                gboolean      rotate_url)
{
  guint epoch = self->epoch;
  guint delay;
  guint64 failures;

  delay = rws_backoff_next (self->backoff);
  failures = rws_backoff_get_attempt (self->backoff);

  if (rotate_url)
    self->url_index++;

  if (fatal)
    {
      /* A prepare-handshake handler may fix credentials, so a fatal response
       * is retried slowly instead of given up. */
      if (!g_signal_has_handler_pending (self, rws_client_signals[SIGNAL_PREPARE_HANDSHAKE], 0, TRUE))
        {
          enter_failed (self, error);
          return;
        }
      delay = self->backoff_max;
    }
  else if (retry_after_ms >= 0)
    {
      delay = (guint) MIN ((guint64) retry_after_ms, (guint64) self->backoff_max);
    }

  if (self->max_attempts >= 0 && failures >= (guint64) self->max_attempts)
    {
      enter_failed (self, error);
      return;
    }

  /* The timer is armed before any signal, so a handler that closes or
   * restarts the client removes it. */
  self->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, retry_timeout, self, NULL);
  rws_client_set_state (self, RWS_STATE_WAITING);
  if (epoch != self->epoch)
    return;

  if (error != NULL)
    {
      emit_error (self, error);
      if (epoch != self->epoch)
        return;
    }

  g_debug ("reconnecting in %u ms (attempt %" G_GUINT64_FORMAT ")", delay, failures);
  g_signal_emit (self, rws_client_signals[SIGNAL_RECONNECTING], 0,
                 (guint) MIN (failures, G_MAXUINT), delay);
}

/* Called when the live connection ended without rws_client_close(). */
void
rws_client_connection_lost (RwsClient    *self,
                            gushort       code,
                            const char   *reason,
                            const GError *error)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  g_autoptr(GError) rws_error = NULL;
  g_autoptr(GError) error_copy = NULL;
  g_autofree char *reason_copy = g_strdup (reason);
  gboolean report = TRUE;
  guint epoch;

  if (self->transport == NULL)
    return;

  /* @reason and @error may belong to the transport, which is freed next. */
  error_copy = error != NULL ? g_error_copy (error) : NULL;
  error = error_copy;

  self->epoch++;
  epoch = self->epoch;

  drop_transport (self, FALSE, 0, NULL);

  if (error != NULL && error->domain == RWS_ERROR)
    {
      rws_error = g_error_copy (error);
    }
  else if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    {
      /* libsoup 3.2 cuts the connection without a close frame here. */
      rws_error = g_error_new (RWS_ERROR, RWS_ERROR_PAYLOAD_TOO_LARGE,
                               /* Translators: the value is a size in bytes. */
                               _("A message from the server was larger than max-payload-size (%" PRIu64 " bytes); "
                                 "the client reconnects and the message is lost"),
                               (guint64) self->max_payload_size);
    }
  else if (error != NULL && error->domain == SOUP_WEBSOCKET_ERROR)
    {
      rws_error = g_error_new (RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR,
                               /* Translators: the value is an error message. */
                               _("The server broke the WebSocket protocol: %s"), error->message);
    }
  else if (error != NULL)
    {
      rws_error = g_error_new (RWS_ERROR, RWS_ERROR_CONNECTION_FAILED,
                               /* Translators: the value is an error message. */
                               _("The connection was lost: %s"), error->message);
    }
  else
    {
      rws_error = rws_policy_close_error (code, reason_copy);
      /* The disconnected signal alone reports an ordinary end of a
       * connection. It is still error_copy as the last error. */
      report = code != SOUP_WEBSOCKET_CLOSE_NORMAL &&
               code != SOUP_WEBSOCKET_CLOSE_GOING_AWAY &&
               code != SOUP_WEBSOCKET_CLOSE_ABNORMAL;
    }

  g_signal_emit (self, rws_client_signals[SIGNAL_DISCONNECTED], 0, (guint) code, reason_copy);
  if (epoch != self->epoch)
    return;

  if (rws_policy_close_code_is_fatal (code) ||
      rws_client_protocol_close_code_is_fatal (self, code))
    {
      schedule_retry (self, rws_error, TRUE, -1, FALSE);
      return;
    }

  if (report)
    {
      schedule_retry (self, rws_error, FALSE, -1, FALSE);
      return;
    }

  /* A close from the peer still counts as a failed attempt. */
  set_last_error (self, rws_error);
  schedule_retry (self, NULL, FALSE, -1, FALSE);
}

/* Ends the live connection because the protocol failed: a close frame with
 * 1002 (protocol error) goes to the server, and the client reconnects or,
 * when @fatal, fails. */
void
rws_client_fail_connection (RwsClient    *self,
                            const GError *error,
                            gboolean      fatal)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  g_autoptr(GError) error_copy = g_error_copy (error);
  guint epoch;

  if (self->transport == NULL)
    return;

  self->epoch++;
  epoch = self->epoch;

  drop_transport (self, TRUE, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, NULL);
  g_signal_emit (self, rws_client_signals[SIGNAL_DISCONNECTED], 0,
                 (guint) SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, error_copy->message);
  if (epoch != self->epoch)
    return;

  schedule_retry (self, error_copy, fatal, -1, FALSE);
}

void
rws_client_inject_peer_timeout (RwsClient *self)
{
  g_autoptr(GError) error = NULL;

  if (self->transport == NULL)
    return;

  error = g_error_new (RWS_ERROR, RWS_ERROR_PEER_TIMEOUT,
                       /* Translators: the values are numbers of milliseconds. */
                       _("The server did not answer within the deadline (pong-timeout %u ms, idle-timeout %u ms)"),
                       self->pong_timeout, self->idle_timeout);
  rws_client_connection_lost (self, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL, error);
}

void
rws_client_inject_read_error (RwsClient *self)
{
  g_autoptr(GError) error = NULL;

  if (self->transport == NULL)
    return;

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "Connection reset by peer");
  rws_client_connection_lost (self, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL, error);
}

/* Closing. */

static void
finish_close (RwsClient  *self,
              gboolean    had_connection,
              gushort     code,
              const char *reason)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *reason_copy = g_strdup (reason);
  guint epoch;

  g_clear_handle_id (&self->close_source, g_source_remove);
  drop_transport (self, FALSE, 0, NULL);
  retiring_free (self);

  self->epoch++;
  epoch = self->epoch;

  error = g_error_new_literal (RWS_ERROR, RWS_ERROR_CLOSED,
                               _("The client was closed before the operation finished"));
  rws_client_fail_queued_tasks (self, error);

  if (had_connection)
    {
      g_signal_emit (self, rws_client_signals[SIGNAL_DISCONNECTED], 0, (guint) code, reason_copy);
      if (epoch != self->epoch)
        return;
    }

  rws_client_set_state (self, RWS_STATE_CLOSED);
  if (epoch != self->epoch)
    return;

  complete_start_tasks (self, error);
  if (epoch != self->epoch)
    return;

  g_signal_emit (self, rws_client_signals[SIGNAL_CLOSED], 0);
}

static gboolean
close_timeout (gpointer user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = g_object_ref (self);

  self->close_source = 0;
  g_debug ("no close frame from the server within %u ms: cutting the connection", CLOSE_TIMEOUT_MS);
  finish_close (self, TRUE, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL);

  return G_SOURCE_REMOVE;
}

/* Stops everything that could start an attempt or fire a timer. */
void
rws_client_teardown (RwsClient *self)
{
  self->epoch++;

  detach_attempt (self);
  cancel_reach (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->close_source, g_source_remove);
  drop_transport (self, FALSE, 0, NULL);
  retiring_free (self);
}

void
rws_client_request_close (RwsClient  *self,
                          gushort     code,
                          const char *reason)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);

  if (self->state == RWS_STATE_CLOSED || self->state == RWS_STATE_CLOSING)
    return;

  self->epoch++;
  detach_attempt (self);
  cancel_reach (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  stop_connection_timers (self);

  /* Messages accepted while READY go out before the close frame, even
   * when the idle callback that would write them has not run yet. */
  if (self->state == RWS_STATE_READY)
    rws_client_drain_queue (self);
  rws_client_set_send_ready (self, FALSE);

  if (self->transport != NULL && rws_transport_is_open (self->transport))
    {
      rws_transport_close (self->transport, code, reason);
      self->close_source = g_timeout_add_full (G_PRIORITY_DEFAULT, CLOSE_TIMEOUT_MS,
                                               close_timeout, self, NULL);
      rws_client_set_state (self, RWS_STATE_CLOSING);
      return;
    }

  finish_close (self, self->transport != NULL, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL);
}

void
rws_client_request_reconnect (RwsClient *self)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);

  switch (self->state)
    {
    case RWS_STATE_DISCONNECTED:
    case RWS_STATE_CLOSED:
    case RWS_STATE_FAILED:
      rws_client_begin (self);
      break;

    case RWS_STATE_CLOSING:
      break;

    case RWS_STATE_WAITING:
      self->epoch++;
      cancel_reach (self);
      begin_attempt (self);
      break;

    case RWS_STATE_CONNECTING:
      self->epoch++;
      detach_attempt (self);
      cancel_reach (self);
      schedule_retry (self, NULL, FALSE, -1, FALSE);
      break;

    case RWS_STATE_OPEN:
    case RWS_STATE_READY:
      {
        guint epoch;

        gboolean had_connection = self->transport != NULL;

        self->epoch++;
        epoch = self->epoch;
        drop_transport (self, TRUE, SOUP_WEBSOCKET_CLOSE_NORMAL, "reconnecting");

        /* From a disconnected handler the connection is already gone and
         * was reported once. */
        if (had_connection)
          {
            g_signal_emit (self, rws_client_signals[SIGNAL_DISCONNECTED], 0,
                           (guint) SOUP_WEBSOCKET_CLOSE_NORMAL, "reconnecting");
            if (epoch != self->epoch)
              return;
          }
        schedule_retry (self, NULL, FALSE, -1, FALSE);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Starts from DISCONNECTED, CLOSED or FAILED. */
void
rws_client_begin (RwsClient *self)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);

  if (self->state != RWS_STATE_DISCONNECTED &&
      self->state != RWS_STATE_CLOSED &&
      self->state != RWS_STATE_FAILED)
    return;

  self->epoch++;
  g_clear_error (&self->last_error);
  self->url_index = 0;
  rws_backoff_reset (self->backoff);

  {
    g_autoptr(GError) error = NULL;

    if (!rws_policy_validate_url (self->url, &error))
      {
        enter_failed (self, error);
        return;
      }
  }

  {
    g_autoptr(GError) error = NULL;

    if (!rws_client_ensure_plugins (self, &error))
      {
        enter_failed (self, error);
        return;
      }
  }

  begin_attempt (self);
}
