/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "rws-test-utils.h"

/* Large enough for any payload a test sends.  The libsoup 3.2 default is
 * 128 KiB.
 */
#define MAX_INCOMING_PAYLOAD_SIZE (64 * 1024 * 1024)

struct _RwsTestServer
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  guint         port;

  /* Used only in the server thread. */
  SoupServer *soup_server;
  GPtrArray  *connections;  /* SoupWebsocketConnection, open or closing */

  /* The mutex protects everything below.  The cond signals the end of the
   * startup and of each call made with server_run_sync().
   */
  GMutex  mutex;
  GCond   cond;
  gboolean started;
  GError  *start_error;

  guint    refuse_status;
  char    *refuse_retry_after;
  int      refuse_count;
  int      close_on_open;
  gboolean echo;
  char    *require_name;
  char    *require_value;

  /* Set and called in the server thread only. */
  RwsTestServerReplyFunc reply_func;
  gpointer               reply_data;
  GDestroyNotify         reply_destroy;

  guint               upgrade_requests;
  guint               connections_accepted;
  guint               open_connections;
  GPtrArray          *received;  /* char *, in arrival order */
  SoupMessageHeaders *last_headers;
  gushort             last_close_code;
};

/* The number of a connection, from 1 in the order the server accepted
 * them, stored on each SoupWebsocketConnection.
 */
#define CONNECTION_NUMBER_KEY "rws-test-server-connection-number"

typedef void (*ServerFunc) (RwsTestServer *server,
                            gconstpointer  data);

typedef struct
{
  RwsTestServer *server;
  ServerFunc     func;
  gconstpointer  data;
  gboolean       done;
} ServerCall;

static gboolean
server_call_dispatch (gpointer user_data)
{
  ServerCall *call = user_data;

  call->func (call->server, call->data);

  g_mutex_lock (&call->server->mutex);
  call->done = TRUE;
  g_cond_broadcast (&call->server->cond);
  g_mutex_unlock (&call->server->mutex);

  return G_SOURCE_REMOVE;
}

/* Runs func in the server thread and waits for it to return.  An idle source
 * is attached directly because g_main_context_invoke() runs the function in
 * the calling thread whenever it can acquire the context.
 */
static void
server_run_sync (RwsTestServer *server,
                 ServerFunc     func,
                 gconstpointer  data)
{
  ServerCall call = { server, func, data, FALSE };
  g_autoptr(GSource) source = NULL;

  g_assert (g_thread_self () != server->thread);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, server_call_dispatch, &call, NULL);
  g_source_set_static_name (source, "[rws-test-server] call");
  g_source_attach (source, server->context);

  g_mutex_lock (&server->mutex);
  while (!call.done)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
}

static gboolean
is_websocket_upgrade (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return soup_message_headers_header_contains (headers, "Upgrade", "websocket");
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

/* Runs when the request headers have arrived, before the WebSocket handler.
 * Once this sets a status, SoupServer sends that status and skips the
 * upgrade.
 */
static void
early_handler (SoupServer        *soup_server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  RwsTestServer *server = user_data;
  SoupMessageHeaders *request_headers;
  g_autofree char *retry_after = NULL;
  guint status = 0;

  if (!is_websocket_upgrade (msg))
    return;

  request_headers = soup_server_message_get_request_headers (msg);

  g_mutex_lock (&server->mutex);

  server->upgrade_requests++;

  g_clear_pointer (&server->last_headers, soup_message_headers_unref);
  server->last_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_foreach (request_headers, copy_header,
                                server->last_headers);

  if (server->refuse_count != 0)
    {
      status = server->refuse_status;
      retry_after = g_strdup (server->refuse_retry_after);
      if (server->refuse_count > 0)
        server->refuse_count--;
    }
  else if (server->require_name != NULL)
    {
      const char *value = soup_message_headers_get_one (request_headers,
                                                        server->require_name);

      if (g_strcmp0 (value, server->require_value) != 0)
        status = SOUP_STATUS_UNAUTHORIZED;
    }

  g_mutex_unlock (&server->mutex);

  if (status == 0)
    return;

  if (retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", retry_after);
  soup_server_message_set_status (msg, status, NULL);
}

static char *
format_binary_message (GBytes *message)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (message, &size);
  GString *text = g_string_sized_new (strlen (RWS_TEST_SERVER_BINARY_PREFIX) +
                                      2 * size);

  g_string_append (text, RWS_TEST_SERVER_BINARY_PREFIX);
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (text, "%02x", data[i]);

  return g_string_free (text, FALSE);
}

/* Sends what the reply function returns for @record.  The record stays
 * valid because the received list only grows while the server runs.
 */
static void
send_replies (RwsTestServer           *server,
              SoupWebsocketConnection *connection,
              const char              *record)
{
  guint number = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (connection),
                                                      CONNECTION_NUMBER_KEY));
  g_autoptr(GPtrArray) replies = server->reply_func (number, record,
                                                     server->reply_data);

  for (guint i = 0; replies != NULL && i < replies->len; i++)
    {
      if (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_OPEN)
        break;
      soup_websocket_connection_send_text (connection, g_ptr_array_index (replies, i));
    }
}

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 user_data)
{
  RwsTestServer *server = user_data;
  char *record;
  gboolean echo;

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    {
      gsize size;
      const char *data = g_bytes_get_data (message, &size);

      record = g_strndup (data, size);
    }
  else
    {
      record = format_binary_message (message);
    }

  g_mutex_lock (&server->mutex);
  g_ptr_array_add (server->received, record);
  echo = server->echo;
  g_mutex_unlock (&server->mutex);

  if (echo &&
      soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_message (connection, type, message);

  if (server->reply_func != NULL)
    send_replies (server, connection, record);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  RwsTestServer *server = user_data;

  g_mutex_lock (&server->mutex);
  server->open_connections--;
  server->last_close_code = soup_websocket_connection_get_close_code (connection);
  g_mutex_unlock (&server->mutex);

  g_signal_handlers_disconnect_by_data (connection, server);
  g_ptr_array_remove_fast (server->connections, connection);
}

/* Closes the TCP stream without a close frame.  SoupWebsocketConnection
 * notices on its next read and emits "closed".  A stream with a pending
 * operation is already being closed by libsoup, which owns that close.
 */
static void
drop_connection (SoupWebsocketConnection *connection)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (connection);
  g_autoptr(GError) error = NULL;

  if (g_io_stream_is_closed (stream) || g_io_stream_has_pending (stream))
    return;

  if (!g_io_stream_close (stream, NULL, &error))
    g_warning ("Failed to close a test server connection: %s", error->message);
}

static void
websocket_handler (SoupServer              *soup_server,
                   SoupServerMessage       *msg,
                   const char              *path,
                   SoupWebsocketConnection *connection,
                   gpointer                 user_data)
{
  RwsTestServer *server = user_data;
  int close_code;

  /* An upgrade can still complete while the thread drains its context after
   * rws_test_server_free() released the connection list.
   */
  if (server->connections == NULL)
    {
      drop_connection (connection);
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (connection,
                                                           MAX_INCOMING_PAYLOAD_SIZE);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), server);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), server);
  g_ptr_array_add (server->connections, g_object_ref (connection));

  g_mutex_lock (&server->mutex);
  server->connections_accepted++;
  server->open_connections++;
  close_code = server->close_on_open;
  g_object_set_data (G_OBJECT (connection), CONNECTION_NUMBER_KEY,
                     GUINT_TO_POINTER (server->connections_accepted));
  g_mutex_unlock (&server->mutex);

  if (close_code == SOUP_WEBSOCKET_CLOSE_ABNORMAL)
    drop_connection (connection);
  else if (close_code != 0)
    soup_websocket_connection_close (connection, close_code, NULL);
}

static gboolean
notify_started (gpointer user_data)
{
  RwsTestServer *server = user_data;

  g_mutex_lock (&server->mutex);
  server->started = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->mutex);

  return G_SOURCE_REMOVE;
}

static gboolean
start_listening (RwsTestServer *server,
                 GError       **error)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GSList *uris;

  server->soup_server = soup_server_new ("server-header", "rws-test-server", NULL);
  soup_server_add_early_handler (server->soup_server, NULL, early_handler,
                                 server, NULL);
  soup_server_add_websocket_handler (server->soup_server, NULL, NULL, NULL,
                                     websocket_handler, server, NULL);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!soup_server_listen (server->soup_server, address, 0, error))
    return FALSE;

  uris = soup_server_get_uris (server->soup_server);
  g_assert (uris != NULL);
  server->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return TRUE;
}

static gpointer
server_thread_main (gpointer user_data)
{
  RwsTestServer *server = user_data;
  g_autoptr(GSource) started_source = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (server->context);

  server->connections = g_ptr_array_new_with_free_func (g_object_unref);

  if (!start_listening (server, &error))
    {
      g_mutex_lock (&server->mutex);
      server->start_error = error;
      server->started = TRUE;
      g_cond_broadcast (&server->cond);
      g_mutex_unlock (&server->mutex);
    }
  else
    {
      /* Report the start from inside the loop so that no call from the test
       * thread can acquire the context before g_main_loop_run() has.
       */
      started_source = g_idle_source_new ();
      g_source_set_callback (started_source, notify_started, server, NULL);
      g_source_attach (started_source, server->context);

      g_main_loop_run (server->loop);
    }

  g_clear_object (&server->soup_server);
  g_clear_pointer (&server->connections, g_ptr_array_unref);

  /* Let the dropped connections finish their pending work. */
  for (guint i = 0; i < 100 && g_main_context_pending (server->context); i++)
    g_main_context_iteration (server->context, FALSE);

  g_main_context_pop_thread_default (server->context);

  return NULL;
}

/**
 * rws_test_server_new:
 *
 * Starts a WebSocket server on 127.0.0.1 at an ephemeral port in a new
 * thread.  It accepts an upgrade on any path and, until configured otherwise,
 * neither echoes nor closes.  Aborts the test if the server cannot listen.
 *
 * Returns: (transfer full): a server that is listening
 */
RwsTestServer *
rws_test_server_new (void)
{
  RwsTestServer *server = g_new0 (RwsTestServer, 1);

  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->received = g_ptr_array_new_with_free_func (g_free);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("rws-test-server", server_thread_main, server);

  g_mutex_lock (&server->mutex);
  while (!server->started)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);

  if (server->start_error != NULL)
    g_error ("Test server failed to listen on 127.0.0.1: %s",
             server->start_error->message);

  return server;
}

static void
shutdown_in_thread (RwsTestServer *server,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) connections = g_steal_pointer (&server->connections);

  for (guint i = 0; i < connections->len; i++)
    {
      SoupWebsocketConnection *connection = connections->pdata[i];

      g_signal_handlers_disconnect_by_data (connection, server);
      if (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_CLOSED)
        drop_connection (connection);
    }

  soup_server_disconnect (server->soup_server);
  g_main_loop_quit (server->loop);

  if (server->reply_destroy != NULL)
    server->reply_destroy (server->reply_data);
  server->reply_func = NULL;
  server->reply_data = NULL;
  server->reply_destroy = NULL;
}

/**
 * rws_test_server_free:
 * @server: a server
 *
 * Stops listening, drops every connection still open without a close frame
 * (use rws_test_server_close_all() first for a clean close), stops the server
 * thread and waits for it to finish.
 */
void
rws_test_server_free (RwsTestServer *server)
{
  if (server == NULL)
    return;

  server_run_sync (server, shutdown_in_thread, NULL);
  g_thread_join (server->thread);

  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_clear_error (&server->start_error);
  g_free (server->refuse_retry_after);
  g_free (server->require_name);
  g_free (server->require_value);
  g_ptr_array_unref (server->received);
  g_clear_pointer (&server->last_headers, soup_message_headers_unref);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

/**
 * rws_test_server_get_port:
 * @server: a server
 *
 * Returns: the TCP port the server listens on, on 127.0.0.1
 */
guint
rws_test_server_get_port (RwsTestServer *server)
{
  return server->port;
}

/**
 * rws_test_server_dup_url:
 * @server: a server
 *
 * Returns: (transfer full): the server's URL, `ws://127.0.0.1:PORT/`
 */
char *
rws_test_server_dup_url (RwsTestServer *server)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/", server->port);
}

/**
 * rws_test_server_refuse:
 * @server: a server
 * @status: HTTP status to respond with, such as 503
 * @retry_after: (nullable): value of a Retry-After header to add
 * @count: how many of the next upgrade requests to reject; -1 rejects all of
 *   them, 0 stops rejecting
 *
 * Rejects upgrade requests with @status instead of 101.  This takes
 * precedence over rws_test_server_set_require_header().
 */
void
rws_test_server_refuse (RwsTestServer *server,
                        guint          status,
                        const char    *retry_after,
                        int            count)
{
  g_return_if_fail (count >= -1);
  g_return_if_fail (count == 0 || status >= 100);

  g_mutex_lock (&server->mutex);
  server->refuse_status = status;
  g_free (server->refuse_retry_after);
  server->refuse_retry_after = g_strdup (retry_after);
  server->refuse_count = count;
  g_mutex_unlock (&server->mutex);
}

/**
 * rws_test_server_set_close_on_open:
 * @server: a server
 * @close_code: close code to send right after each upgrade; 1006
 *   (%SOUP_WEBSOCKET_CLOSE_ABNORMAL) closes the TCP connection without a close
 *   frame, and 0 turns the behaviour off
 *
 * Closes every connection accepted from now on right after the 101 response.
 */
void
rws_test_server_set_close_on_open (RwsTestServer *server,
                                   int            close_code)
{
  g_return_if_fail (close_code >= 0 && close_code <= G_MAXUINT16);

  g_mutex_lock (&server->mutex);
  server->close_on_open = close_code;
  g_mutex_unlock (&server->mutex);
}

/**
 * rws_test_server_set_echo:
 * @server: a server
 * @echo: whether to echo
 *
 * Sets whether each text or binary message received is sent back on the same
 * connection, with the same type.  The default is %FALSE.
 */
void
rws_test_server_set_echo (RwsTestServer *server,
                          gboolean       echo)
{
  g_mutex_lock (&server->mutex);
  server->echo = echo;
  g_mutex_unlock (&server->mutex);
}

/**
 * rws_test_server_set_require_header:
 * @server: a server
 * @name: (nullable): request header to require, or %NULL to require none
 * @value: (nullable): exact value the header must have
 *
 * Rejects with 401 Unauthorized each upgrade request whose @name header is
 * missing or differs from @value.
 */
void
rws_test_server_set_require_header (RwsTestServer *server,
                                    const char    *name,
                                    const char    *value)
{
  g_mutex_lock (&server->mutex);
  g_free (server->require_name);
  g_free (server->require_value);
  server->require_name = g_strdup (name);
  server->require_value = g_strdup (value);
  g_mutex_unlock (&server->mutex);
}

typedef struct
{
  RwsTestServerReplyFunc func;
  gpointer               user_data;
  GDestroyNotify         destroy;
} ReplyFuncRequest;

static void
set_reply_func_in_thread (RwsTestServer *server,
                          gconstpointer  data)
{
  const ReplyFuncRequest *request = data;

  if (server->reply_destroy != NULL)
    server->reply_destroy (server->reply_data);

  server->reply_func = request->func;
  server->reply_data = request->user_data;
  server->reply_destroy = request->destroy;
}

/**
 * rws_test_server_set_reply_func:
 * @server: a server
 * @func: (nullable): function that replies to each received text or binary
 *   message, or %NULL to reply to none
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when @func is replaced or the
 *   server is freed
 *
 * Makes the server reply to each message it receives from now on with the
 * messages @func returns, sent on the connection that received it.  The
 * received message is recorded, and echoed when echo is on, before @func
 * runs.  @func and @destroy run in the server thread.
 */
void
rws_test_server_set_reply_func (RwsTestServer          *server,
                                RwsTestServerReplyFunc  func,
                                gpointer                user_data,
                                GDestroyNotify          destroy)
{
  ReplyFuncRequest request = { func, user_data, destroy };

  server_run_sync (server, set_reply_func_in_thread, &request);
}

static gpointer
ref_object (gconstpointer object,
            gpointer      user_data)
{
  return g_object_ref ((gpointer) object);
}

/* Returns a new reference to each connection, so that a "closed" handler can
 * remove connections from the list while the caller iterates the copy.
 */
static GPtrArray *
ref_connections (RwsTestServer *server)
{
  GPtrArray *connections = g_ptr_array_copy (server->connections, ref_object, NULL);

  g_ptr_array_set_free_func (connections, g_object_unref);

  return connections;
}

typedef struct
{
  gushort     code;
  const char *reason;
} CloseRequest;

static void
close_all_in_thread (RwsTestServer *server,
                     gconstpointer  data)
{
  const CloseRequest *request = data;
  g_autoptr(GPtrArray) connections = ref_connections (server);

  for (guint i = 0; i < connections->len; i++)
    {
      SoupWebsocketConnection *connection = connections->pdata[i];

      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (connection, request->code,
                                         request->reason);
    }
}

/**
 * rws_test_server_close_all:
 * @server: a server
 * @code: close code
 * @reason: (nullable): close reason
 *
 * Sends a close frame on every open connection and returns once the frames
 * are queued.  Each connection closes when the client sends its close frame
 * back, or when libsoup stops waiting for it.
 */
void
rws_test_server_close_all (RwsTestServer *server,
                           gushort        code,
                           const char    *reason)
{
  CloseRequest request = { code, reason };

  server_run_sync (server, close_all_in_thread, &request);
}

static void
drop_all_in_thread (RwsTestServer *server,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) connections = ref_connections (server);

  for (guint i = 0; i < connections->len; i++)
    {
      SoupWebsocketConnection *connection = connections->pdata[i];

      if (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_CLOSED)
        drop_connection (connection);
    }
}

/**
 * rws_test_server_drop_all:
 * @server: a server
 *
 * Closes the TCP stream of every connection without a close frame, as a
 * crashed server or a broken network would.
 */
void
rws_test_server_drop_all (RwsTestServer *server)
{
  server_run_sync (server, drop_all_in_thread, NULL);
}

static void
send_text_in_thread (RwsTestServer *server,
                     gconstpointer  data)
{
  const char *text = data;

  for (guint i = 0; i < server->connections->len; i++)
    {
      SoupWebsocketConnection *connection = server->connections->pdata[i];

      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (connection, text);
    }
}

/**
 * rws_test_server_send_text:
 * @server: a server
 * @text: message to send
 *
 * Sends @text as a text message on every open connection, and returns once
 * it is queued.
 */
void
rws_test_server_send_text (RwsTestServer *server,
                           const char    *text)
{
  g_return_if_fail (text != NULL);

  server_run_sync (server, send_text_in_thread, text);
}

typedef struct
{
  SoupWebsocketDataType  type;
  GBytes                *payload;
} SendMessageRequest;

static void
send_message_in_thread (RwsTestServer *server,
                        gconstpointer  data)
{
  const SendMessageRequest *request = data;

  for (guint i = 0; i < server->connections->len; i++)
    {
      SoupWebsocketConnection *connection = server->connections->pdata[i];

      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_message (connection, request->type,
                                                request->payload);
    }
}

/**
 * rws_test_server_send_message:
 * @server: a server
 * @type: %SOUP_WEBSOCKET_DATA_TEXT or %SOUP_WEBSOCKET_DATA_BINARY
 * @payload: the payload, sent as it is in one frame
 *
 * Sends @payload as one message of @type on every open connection, and
 * returns once it is queued.  libsoup 3.2.3 refuses a text payload that is
 * not valid UTF-8 with a critical warning; RwsTestFrameServer sends one.
 */
void
rws_test_server_send_message (RwsTestServer         *server,
                              SoupWebsocketDataType  type,
                              GBytes                *payload)
{
  SendMessageRequest request = { type, payload };

  g_return_if_fail (type == SOUP_WEBSOCKET_DATA_TEXT ||
                    type == SOUP_WEBSOCKET_DATA_BINARY);
  g_return_if_fail (payload != NULL);

  server_run_sync (server, send_message_in_thread, &request);
}

typedef struct
{
  guint ms;
  GMutex mutex;
  GCond cond;
  gboolean sleeping;
} FreezeRequest;

static gboolean
freeze_in_thread (gpointer user_data)
{
  FreezeRequest *request = user_data;
  guint ms = request->ms;

  /* Tell the caller the sleep starts; after the signal @request belongs
   * to the caller again. */
  g_mutex_lock (&request->mutex);
  request->sleeping = TRUE;
  g_cond_signal (&request->cond);
  g_mutex_unlock (&request->mutex);

  g_usleep ((gulong) ms * 1000);

  return G_SOURCE_REMOVE;
}

/**
 * rws_test_server_freeze:
 * @server: a server
 * @ms: how long to freeze, in milliseconds
 *
 * Makes the server thread sleep for @ms, and returns once the sleep has
 * started, so whatever the test does next happens during the freeze.
 * During that time the server reads nothing, sends no pong and accepts no
 * connection, but the kernel still completes TCP connects and buffers
 * incoming data. Functions that run in the server thread block until the
 * sleep ends.
 */
void
rws_test_server_freeze (RwsTestServer *server,
                        guint          ms)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  FreezeRequest request = { ms };

  g_mutex_init (&request.mutex);
  g_cond_init (&request.cond);

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, freeze_in_thread, &request, NULL);
  g_source_set_static_name (source, "[rws-test-server] freeze");
  g_source_attach (source, server->context);

  g_mutex_lock (&request.mutex);
  while (!request.sleeping)
    g_cond_wait (&request.cond, &request.mutex);
  g_mutex_unlock (&request.mutex);

  g_mutex_clear (&request.mutex);
  g_cond_clear (&request.cond);
}

/**
 * rws_test_server_get_upgrade_requests:
 * @server: a server
 *
 * Returns: the number of WebSocket upgrade requests received so far, rejected
 *   ones included
 */
guint
rws_test_server_get_upgrade_requests (RwsTestServer *server)
{
  guint count;

  g_mutex_lock (&server->mutex);
  count = server->upgrade_requests;
  g_mutex_unlock (&server->mutex);

  return count;
}

/**
 * rws_test_server_get_connections:
 * @server: a server
 *
 * Returns: the number of upgrades accepted so far
 */
guint
rws_test_server_get_connections (RwsTestServer *server)
{
  guint count;

  g_mutex_lock (&server->mutex);
  count = server->connections_accepted;
  g_mutex_unlock (&server->mutex);

  return count;
}

/**
 * rws_test_server_get_open_connections:
 * @server: a server
 *
 * Returns: the number of accepted connections that have not emitted "closed"
 *   yet, closing ones included
 */
guint
rws_test_server_get_open_connections (RwsTestServer *server)
{
  guint count;

  g_mutex_lock (&server->mutex);
  count = server->open_connections;
  g_mutex_unlock (&server->mutex);

  return count;
}

/**
 * rws_test_server_get_received_count:
 * @server: a server
 *
 * Returns: the number of text and binary messages received so far, over all
 *   connections
 */
guint
rws_test_server_get_received_count (RwsTestServer *server)
{
  guint count;

  g_mutex_lock (&server->mutex);
  count = server->received->len;
  g_mutex_unlock (&server->mutex);

  return count;
}

static gpointer
copy_string (gconstpointer string,
             gpointer      user_data)
{
  return g_strdup (string);
}

/**
 * rws_test_server_dup_received:
 * @server: a server
 *
 * Copies the messages received so far, over all connections, in arrival
 * order.  A text message is copied up to its first NUL byte.  A binary
 * message appears as %RWS_TEST_SERVER_BINARY_PREFIX followed by its payload
 * in lowercase hexadecimal.
 *
 * Returns: (transfer full) (element-type utf8): the messages
 */
GPtrArray *
rws_test_server_dup_received (RwsTestServer *server)
{
  GPtrArray *copy;

  g_mutex_lock (&server->mutex);
  copy = g_ptr_array_copy (server->received, copy_string, NULL);
  g_mutex_unlock (&server->mutex);

  g_ptr_array_set_free_func (copy, g_free);

  return copy;
}

/**
 * rws_test_server_dup_last_header:
 * @server: a server
 * @name: header name, case-insensitive
 *
 * Returns: (transfer full) (nullable): the value of header @name in the last
 *   upgrade request, with repeated headers joined by ", ", or %NULL if there
 *   was no such header or no upgrade request yet
 */
char *
rws_test_server_dup_last_header (RwsTestServer *server,
                                 const char    *name)
{
  char *value = NULL;

  g_mutex_lock (&server->mutex);
  if (server->last_headers != NULL)
    value = g_strdup (soup_message_headers_get_list (server->last_headers, name));
  g_mutex_unlock (&server->mutex);

  return value;
}

/**
 * rws_test_server_get_last_close_code:
 * @server: a server
 *
 * Returns: the close code libsoup reported for the connection that closed
 *   last: the code the client sent, the code the server sent, or 0 or 1006
 *   when no close frame was exchanged; 0 while no connection has closed
 */
gushort
rws_test_server_get_last_close_code (RwsTestServer *server)
{
  gushort code;

  g_mutex_lock (&server->mutex);
  code = server->last_close_code;
  g_mutex_unlock (&server->mutex);

  return code;
}

typedef struct
{
  RwsTestServer *server;
  guint          count;
} CountCondition;

static gboolean
received_at_least (gpointer user_data)
{
  CountCondition *condition = user_data;

  return rws_test_server_get_received_count (condition->server) >= condition->count;
}

static gboolean
connections_at_least (gpointer user_data)
{
  CountCondition *condition = user_data;

  return rws_test_server_get_connections (condition->server) >= condition->count;
}

static gboolean
open_connections_equal (gpointer user_data)
{
  CountCondition *condition = user_data;

  return rws_test_server_get_open_connections (condition->server) == condition->count;
}

/**
 * rws_test_server_wait_received:
 * @server: a server
 * @count: number of messages to wait for, counted since the server started
 * @timeout_ms: maximum wait, in milliseconds
 *
 * Iterates the caller's thread-default main context until the server has
 * received at least @count messages or @timeout_ms has passed.
 *
 * Returns: whether the server received @count messages in time
 */
gboolean
rws_test_server_wait_received (RwsTestServer *server,
                               guint          count,
                               guint          timeout_ms)
{
  CountCondition condition = { server, count };

  return rws_test_wait_until (received_at_least, &condition, timeout_ms);
}

/**
 * rws_test_server_wait_connections:
 * @server: a server
 * @count: number of accepted upgrades to wait for, counted since the server
 *   started
 * @timeout_ms: maximum wait, in milliseconds
 *
 * Iterates the caller's thread-default main context until the server has
 * accepted at least @count upgrades or @timeout_ms has passed.
 *
 * Returns: whether the server accepted @count upgrades in time
 */
gboolean
rws_test_server_wait_connections (RwsTestServer *server,
                                  guint          count,
                                  guint          timeout_ms)
{
  CountCondition condition = { server, count };

  return rws_test_wait_until (connections_at_least, &condition, timeout_ms);
}

/**
 * rws_test_server_wait_open_connections:
 * @server: a server
 * @count: exact number of open connections to wait for
 * @timeout_ms: maximum wait, in milliseconds
 *
 * Iterates the caller's thread-default main context until exactly @count
 * connections are open or @timeout_ms has passed.  Waiting for 0 is how a
 * test learns that the server has seen a close or a drop.
 *
 * Returns: whether @count connections were open in time
 */
gboolean
rws_test_server_wait_open_connections (RwsTestServer *server,
                                       guint          count,
                                       guint          timeout_ms)
{
  CountCondition condition = { server, count };

  return rws_test_wait_until (open_connections_equal, &condition, timeout_ms);
}

struct _RwsTestSilentListener
{
  GSocket *socket;
  guint    port;
};

/**
 * rws_test_silent_listener_new:
 *
 * Creates a TCP socket bound to 127.0.0.1 at an ephemeral port that listens
 * and never accepts.  Aborts the test if the socket cannot listen.
 *
 * Returns: (transfer full): the listener
 */
RwsTestSilentListener *
rws_test_silent_listener_new (void)
{
  RwsTestSilentListener *listener = g_new0 (RwsTestSilentListener, 1);
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound_address = NULL;
  g_autoptr(GError) error = NULL;

  listener->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &error);
  if (listener->socket == NULL)
    g_error ("Failed to create the silent listener socket: %s", error->message);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_bind (listener->socket, address, FALSE, &error) ||
      !g_socket_listen (listener->socket, &error))
    g_error ("Silent listener failed to listen on 127.0.0.1: %s", error->message);

  bound_address = g_socket_get_local_address (listener->socket, &error);
  if (bound_address == NULL)
    g_error ("Failed to read the silent listener port: %s", error->message);
  listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound_address));

  return listener;
}

/**
 * rws_test_silent_listener_free:
 * @listener: a listener
 *
 * Closes the socket.  Connections still waiting in the backlog are reset.
 */
void
rws_test_silent_listener_free (RwsTestSilentListener *listener)
{
  if (listener == NULL)
    return;

  g_socket_close (listener->socket, NULL);
  g_object_unref (listener->socket);
  g_free (listener);
}

/**
 * rws_test_silent_listener_get_port:
 * @listener: a listener
 *
 * Returns: the TCP port the listener is bound to, on 127.0.0.1
 */
guint
rws_test_silent_listener_get_port (RwsTestSilentListener *listener)
{
  return listener->port;
}

/**
 * rws_test_silent_listener_dup_url:
 * @listener: a listener
 *
 * Returns: (transfer full): `ws://127.0.0.1:PORT/` for the listener's port
 */
char *
rws_test_silent_listener_dup_url (RwsTestSilentListener *listener)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/", listener->port);
}

/* RwsTestFrameServer: libsoup's SoupWebsocketConnection always sends a
 * message in one frame.  This server completes the opening handshake itself
 * (RFC 6455 section 4.2.2) and then writes frames that the test builds by
 * hand.  Each connection runs in a worker thread of a GThreadedSocketService
 * with blocking I/O.
 */

#define FRAME_SERVER_MAX_REQUEST_SIZE 8192
#define FRAME_SERVER_MAX_PAYLOAD_SIZE (1024 * 1024)
#define FRAME_SERVER_MAX_WORKERS 8

/* RFC 6455 section 4.2.2: appended to Sec-WebSocket-Key before hashing. */
#define WEBSOCKET_ACCEPT_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#define OPCODE_CLOSE 0x8
#define OPCODE_PING  0x9
#define OPCODE_PONG  0xA

struct _RwsTestFrameServer
{
  GSocketService *service;
  GCancellable   *cancellable;
  guint           port;

  /* Serializes the frames that the test thread and the worker threads
   * write, so their bytes never interleave on one connection.
   */
  GMutex write_mutex;

  /* The mutex protects everything below.  The cond signals that a worker
   * finished.
   */
  GMutex     mutex;
  GCond      cond;
  GIOStream *current;          /* the newest connection past the handshake */
  guint      workers;          /* connections accepted and not yet finished */
  guint      connections;      /* handshakes completed */
  gushort    last_close_code;  /* from the last close frame a client sent */
};

static gboolean
read_exactly (GInputStream *input,
              void         *buffer,
              gsize         size,
              GCancellable *cancellable)
{
  gsize bytes_read = 0;

  return g_input_stream_read_all (input, buffer, size, &bytes_read, cancellable, NULL) &&
         bytes_read == size;
}

/* Writes one unmasked frame, as a server sends them. */
static gboolean
write_frame (RwsTestFrameServer *server,
             GIOStream          *stream,
             gboolean            fin,
             guint8              opcode,
             const void         *payload,
             gsize               size)
{
  GOutputStream *output = g_io_stream_get_output_stream (stream);
  guint8 header[10];
  gsize header_size = 2;
  gboolean written;

  header[0] = (fin ? 0x80 : 0x00) | (opcode & 0x0f);
  if (size < 126)
    {
      header[1] = size;
    }
  else if (size <= G_MAXUINT16)
    {
      header[1] = 126;
      header[2] = size >> 8;
      header[3] = size & 0xff;
      header_size = 4;
    }
  else
    {
      header[1] = 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = ((guint64) size >> (56 - 8 * i)) & 0xff;
      header_size = 10;
    }

  g_mutex_lock (&server->write_mutex);
  written = g_output_stream_write_all (output, header, header_size, NULL,
                                       server->cancellable, NULL) &&
            (size == 0 ||
             g_output_stream_write_all (output, payload, size, NULL,
                                        server->cancellable, NULL));
  g_mutex_unlock (&server->write_mutex);

  return written;
}

static char *
compute_accept_key (const char *key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_size = sizeof digest;

  g_checksum_update (checksum, (const guchar *) key, -1);
  g_checksum_update (checksum, (const guchar *) WEBSOCKET_ACCEPT_GUID, -1);
  g_checksum_get_digest (checksum, digest, &digest_size);

  return g_base64_encode (digest, digest_size);
}

/* Reads the upgrade request and responds with 101 Switching Protocols.  The
 * connection becomes the current one before the response is written, so it
 * is current by the time the client completes the handshake.
 */
static gboolean
frame_server_handshake (RwsTestFrameServer *server,
                        GIOStream          *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  const char *key;
  gboolean written;

  /* Byte by byte, so nothing after the blank line is consumed. */
  while (request->len < 4 ||
         memcmp (request->data + request->len - 4, "\r\n\r\n", 4) != 0)
    {
      guint8 byte;

      if (request->len >= FRAME_SERVER_MAX_REQUEST_SIZE ||
          !read_exactly (input, &byte, 1, server->cancellable))
        return FALSE;
      g_byte_array_append (request, &byte, 1);
    }

  if (soup_headers_parse_request ((const char *) request->data, request->len,
                                  headers, NULL, NULL, NULL) != SOUP_STATUS_OK)
    return FALSE;

  key = soup_message_headers_get_one (headers, "Sec-WebSocket-Key");
  if (key == NULL)
    return FALSE;

  accept = compute_accept_key (key);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n"
                              "\r\n",
                              accept);

  g_mutex_lock (&server->mutex);
  g_set_object (&server->current, stream);
  server->connections++;
  g_mutex_unlock (&server->mutex);

  /* Written under the write mutex because the client can read the response,
   * and the test can send a frame, before this call returns.  A second write
   * while this one is pending fails with G_IO_ERROR_PENDING.
   */
  g_mutex_lock (&server->write_mutex);
  written = g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                                       response, strlen (response), NULL,
                                       server->cancellable, NULL);
  g_mutex_unlock (&server->write_mutex);

  return written;
}

/* Reads the client's frames until the client closes.  It replies to a close
 * frame with the same code and ends the connection, replies to a ping with a
 * pong, and ignores data frames.
 */
static void
frame_server_read_frames (RwsTestFrameServer *server,
                          GIOStream          *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);

  for (;;)
    {
      g_autofree guint8 *payload = NULL;
      guint8 header[2];
      guint8 mask[4];
      guint8 opcode;
      guint64 size;

      if (!read_exactly (input, header, sizeof header, server->cancellable))
        return;

      opcode = header[0] & 0x0f;
      size = header[1] & 0x7f;
      if (size == 126)
        {
          guint8 extended[2];

          if (!read_exactly (input, extended, sizeof extended, server->cancellable))
            return;
          size = ((guint64) extended[0] << 8) | extended[1];
        }
      else if (size == 127)
        {
          guint8 extended[8];

          if (!read_exactly (input, extended, sizeof extended, server->cancellable))
            return;
          size = 0;
          for (guint i = 0; i < 8; i++)
            size = (size << 8) | extended[i];
        }

      /* RFC 6455 section 5.1: every frame from a client is masked. */
      if ((header[1] & 0x80) == 0 || size > FRAME_SERVER_MAX_PAYLOAD_SIZE)
        return;

      payload = g_malloc (MAX (size, 1));
      if (!read_exactly (input, mask, sizeof mask, server->cancellable) ||
          (size > 0 && !read_exactly (input, payload, size, server->cancellable)))
        return;
      for (guint64 i = 0; i < size; i++)
        payload[i] ^= mask[i % 4];

      if (opcode == OPCODE_CLOSE)
        {
          /* 1005: the close frame carried no code. */
          gushort code = size >= 2 ? (payload[0] << 8) | payload[1] : 1005;

          g_mutex_lock (&server->mutex);
          server->last_close_code = code;
          g_mutex_unlock (&server->mutex);

          write_frame (server, stream, TRUE, OPCODE_CLOSE, payload, MIN (size, 2));
          return;
        }

      if (opcode == OPCODE_PING)
        write_frame (server, stream, TRUE, OPCODE_PONG, payload, size);
    }
}

/* Runs in a worker thread for each accepted connection. */
static gboolean
frame_server_run (GThreadedSocketService *service,
                  GSocketConnection      *connection,
                  GObject                *source_object,
                  gpointer                user_data)
{
  RwsTestFrameServer *server = user_data;
  GIOStream *stream = G_IO_STREAM (connection);

  if (frame_server_handshake (server, stream))
    frame_server_read_frames (server, stream);

  g_mutex_lock (&server->mutex);
  if (server->current == stream)
    g_clear_object (&server->current);
  g_mutex_unlock (&server->mutex);

  g_io_stream_close (stream, NULL, NULL);

  g_mutex_lock (&server->mutex);
  server->workers--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->mutex);

  return TRUE;
}

/* Runs in the test thread before the service queues the connection for a
 * worker, so rws_test_frame_server_free() also waits for workers that have
 * not started yet.
 */
static gboolean
frame_server_incoming (GSocketService    *service,
                       GSocketConnection *connection,
                       GObject           *source_object,
                       gpointer           user_data)
{
  RwsTestFrameServer *server = user_data;

  g_mutex_lock (&server->mutex);
  server->workers++;
  g_mutex_unlock (&server->mutex);

  return FALSE;
}

/**
 * rws_test_frame_server_new:
 *
 * Starts a WebSocket server on 127.0.0.1 at an ephemeral port that accepts
 * any upgrade request, offers no extension and no subprotocol, and sends
 * only the frames given to rws_test_frame_server_send_frame().  It accepts
 * connections while the test thread iterates its thread-default main
 * context.  Aborts the test if the server cannot listen.
 *
 * Returns: (transfer full): a server that is listening
 */
RwsTestFrameServer *
rws_test_frame_server_new (void)
{
  RwsTestFrameServer *server = g_new0 (RwsTestFrameServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective_address = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&server->write_mutex);
  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->cancellable = g_cancellable_new ();
  server->service = g_threaded_socket_service_new (FRAME_SERVER_MAX_WORKERS);

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective_address, &error))
    g_error ("Frame server failed to listen on 127.0.0.1: %s", error->message);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective_address));

  g_signal_connect (server->service, "incoming", G_CALLBACK (frame_server_incoming), server);
  g_signal_connect (server->service, "run", G_CALLBACK (frame_server_run), server);
  g_socket_service_start (server->service);

  return server;
}

/**
 * rws_test_frame_server_free:
 * @server: a server
 *
 * Stops listening, cuts every connection without a close frame and waits
 * for the worker threads to finish.
 */
void
rws_test_frame_server_free (RwsTestFrameServer *server)
{
  if (server == NULL)
    return;

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_cancellable_cancel (server->cancellable);

  g_mutex_lock (&server->mutex);
  while (server->workers > 0)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);

  g_signal_handlers_disconnect_by_data (server->service, server);
  g_clear_object (&server->service);
  g_clear_object (&server->cancellable);
  g_clear_object (&server->current);
  g_mutex_clear (&server->write_mutex);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

/**
 * rws_test_frame_server_dup_url:
 * @server: a server
 *
 * Returns: (transfer full): the server's URL, `ws://127.0.0.1:PORT/`
 */
char *
rws_test_frame_server_dup_url (RwsTestFrameServer *server)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/", server->port);
}

/**
 * rws_test_frame_server_send_frame:
 * @server: a server
 * @fin: whether the frame ends its message
 * @opcode: the frame's opcode: 0x0 (continuation), 0x1 (text), 0x2 (binary)
 *   or a control opcode
 * @payload: (array length=size) (nullable): the payload, sent unmasked and
 *   unchecked
 * @size: the size of @payload in bytes
 *
 * Writes one frame on the newest connection that completed its handshake,
 * and returns once it is written.
 *
 * Returns: %TRUE if the frame was written, %FALSE if no connection is open
 *   or the write failed
 */
gboolean
rws_test_frame_server_send_frame (RwsTestFrameServer *server,
                                  gboolean            fin,
                                  guint8              opcode,
                                  const void         *payload,
                                  gsize               size)
{
  g_autoptr(GIOStream) stream = NULL;

  g_return_val_if_fail (opcode <= 0x0f, FALSE);
  g_return_val_if_fail (payload != NULL || size == 0, FALSE);

  g_mutex_lock (&server->mutex);
  if (server->current != NULL)
    stream = g_object_ref (server->current);
  g_mutex_unlock (&server->mutex);

  if (stream == NULL)
    return FALSE;

  return write_frame (server, stream, fin, opcode, payload, size);
}

/**
 * rws_test_frame_server_get_connections:
 * @server: a server
 *
 * Returns: the number of connections that completed the handshake
 */
guint
rws_test_frame_server_get_connections (RwsTestFrameServer *server)
{
  guint connections;

  g_mutex_lock (&server->mutex);
  connections = server->connections;
  g_mutex_unlock (&server->mutex);

  return connections;
}

/**
 * rws_test_frame_server_get_last_close_code:
 * @server: a server
 *
 * Returns: the code of the last close frame a client sent, 1005 for a close
 *   frame without a code, or 0 if no client sent one
 */
gushort
rws_test_frame_server_get_last_close_code (RwsTestFrameServer *server)
{
  gushort code;

  g_mutex_lock (&server->mutex);
  code = server->last_close_code;
  g_mutex_unlock (&server->mutex);

  return code;
}
