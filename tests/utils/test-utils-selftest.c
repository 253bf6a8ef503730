/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Checks the test utilities against a plain libsoup client, so that the C
 * tests of the Rws client can trust them.
 */

#include <signal.h>

#include "rws-test-utils.h"

#define WAIT_TIMEOUT_MS 5000

/* A libsoup WebSocket client and what it has seen. */
typedef struct
{
  SoupSession             *session;
  SoupMessage             *msg;
  SoupWebsocketConnection *connection;
  GError                  *error;
  gboolean                 finished;  /* the connect call has completed */
  gboolean                 closed;
  guint                    pongs;
  guint                    errors;     /* emissions of "error" */
  GPtrArray               *messages;   /* char *, text, or a size for binary */
} TestClient;

static void
test_client_free (TestClient *client)
{
  if (client->connection != NULL)
    g_signal_handlers_disconnect_by_data (client->connection, client);
  g_clear_object (&client->connection);
  g_clear_object (&client->msg);
  g_clear_object (&client->session);
  g_clear_error (&client->error);
  g_ptr_array_unref (client->messages);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

static void
on_client_message (SoupWebsocketConnection *connection,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  TestClient *client = user_data;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_ptr_array_add (client->messages, g_strndup (data, size));
  else
    g_ptr_array_add (client->messages, g_strdup_printf ("binary of %zu bytes", size));
}

static void
on_client_closed (SoupWebsocketConnection *connection,
                  gpointer                 user_data)
{
  TestClient *client = user_data;

  client->closed = TRUE;
}

static void
on_client_error (SoupWebsocketConnection *connection,
                 GError                  *error,
                 gpointer                 user_data)
{
  TestClient *client = user_data;

  client->errors++;
  g_test_message ("client connection error: %s", error->message);
}

static void
on_client_pong (SoupWebsocketConnection *connection,
                GBytes                  *message,
                gpointer                 user_data)
{
  TestClient *client = user_data;

  client->pongs++;
}

static void
on_connected (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestClient *client = user_data;

  client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source_object),
                                                              result,
                                                              &client->error);
  if (client->connection != NULL)
    {
      g_signal_connect (client->connection, "message",
                        G_CALLBACK (on_client_message), client);
      g_signal_connect (client->connection, "closed",
                        G_CALLBACK (on_client_closed), client);
      g_signal_connect (client->connection, "pong",
                        G_CALLBACK (on_client_pong), client);
      g_signal_connect (client->connection, "error",
                        G_CALLBACK (on_client_error), client);
    }

  client->finished = TRUE;
}

static gboolean
client_finished (gpointer user_data)
{
  TestClient *client = user_data;

  return client->finished;
}

static gboolean
client_closed (gpointer user_data)
{
  TestClient *client = user_data;

  return client->closed;
}

/* Starts a WebSocket connect to url without waiting for it.  The session
 * uses no proxy, whatever the proxy environment variables contain, so it
 * always reaches 127.0.0.1 directly.
 */
static TestClient *
test_client_start (const char   *url,
                   const char   *header_name,
                   const char   *header_value,
                   GCancellable *cancellable)
{
  TestClient *client = g_new0 (TestClient, 1);

  client->messages = g_ptr_array_new_with_free_func (g_free);
  client->session = soup_session_new ();
  soup_session_set_proxy_resolver (client->session, NULL);
  client->msg = soup_message_new (SOUP_METHOD_GET, url);
  g_assert_nonnull (client->msg);
  if (header_name != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (client->msg),
                                  header_name, header_value);

  soup_session_websocket_connect_async (client->session, client->msg, NULL,
                                        NULL, G_PRIORITY_DEFAULT, cancellable,
                                        on_connected, client);

  return client;
}

/* Connects to url and waits for the result, which may be an error. */
static TestClient *
test_client_connect (const char *url,
                     const char *header_name,
                     const char *header_value)
{
  TestClient *client = test_client_start (url, header_name, header_value, NULL);

  g_assert_true (rws_test_wait_until (client_finished, client, WAIT_TIMEOUT_MS));

  return client;
}

/* Connects to the server and asserts that the upgrade succeeded.  The
 * server counts a connection only after it has sent the 101 response, so
 * this also waits for the server to count it.
 */
static TestClient *
test_client_connect_ok (RwsTestServer *server)
{
  g_autofree char *url = rws_test_server_dup_url (server);
  guint connections_before = rws_test_server_get_connections (server);
  TestClient *client = test_client_connect (url, NULL, NULL);

  g_assert_no_error (client->error);
  g_assert_nonnull (client->connection);
  g_assert_true (rws_test_server_wait_connections (server, connections_before + 1,
                                                   WAIT_TIMEOUT_MS));

  return client;
}

static void
test_server_connect_counts (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  g_autofree char *expected_url = NULL;
  g_autoptr(TestClient) client = NULL;
  g_autofree char *header = NULL;
  g_autofree char *missing_header = NULL;

  g_assert_cmpuint (rws_test_server_get_port (server), >, 0);
  expected_url = g_strdup_printf ("ws://127.0.0.1:%u/", rws_test_server_get_port (server));
  g_assert_cmpstr (url, ==, expected_url);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (server), ==, 0);
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 0);
  g_assert_cmpuint (rws_test_server_get_last_close_code (server), ==, 0);
  g_assert_null (rws_test_server_dup_last_header (server, "X-Test"));

  client = test_client_connect (url, "X-Test", "first");
  g_assert_no_error (client->error);
  g_assert_true (rws_test_server_wait_connections (server, 1, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (server), ==, 1);
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 1);
  g_assert_cmpuint (rws_test_server_get_open_connections (server), ==, 1);

  header = rws_test_server_dup_last_header (server, "x-test");
  g_assert_cmpstr (header, ==, "first");
  missing_header = rws_test_server_dup_last_header (server, "X-Missing");
  g_assert_null (missing_header);

  soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_assert_true (rws_test_server_wait_open_connections (server, 0, WAIT_TIMEOUT_MS));
  g_assert_true (rws_test_wait_until (client_closed, client, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_last_close_code (server), ==,
                    SOUP_WEBSOCKET_CLOSE_NORMAL);
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 1);
}

static gboolean
client_has_messages (gpointer user_data)
{
  TestClient *client = user_data;

  return client->messages->len >= 2;
}

static void
test_server_echo (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = NULL;
  g_autoptr(GPtrArray) received = NULL;
  const guint8 binary[] = { 0x00, 0x01, 0xab, 0xff };

  rws_test_server_set_echo (server, TRUE);
  client = test_client_connect_ok (server);

  soup_websocket_connection_send_text (client->connection, "hello");
  soup_websocket_connection_send_binary (client->connection, binary, sizeof binary);

  g_assert_true (rws_test_server_wait_received (server, 2, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_received_count (server), ==, 2);
  received = rws_test_server_dup_received (server);
  g_assert_cmpuint (received->len, ==, 2);
  g_assert_cmpstr (received->pdata[0], ==, "hello");
  g_assert_cmpstr (received->pdata[1], ==, RWS_TEST_SERVER_BINARY_PREFIX "0001abff");

  g_assert_true (rws_test_wait_until (client_has_messages, client, WAIT_TIMEOUT_MS));
  g_assert_cmpstr (client->messages->pdata[0], ==, "hello");
  g_assert_cmpstr (client->messages->pdata[1], ==, "binary of 4 bytes");
}

static void
test_server_no_echo_by_default (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);

  soup_websocket_connection_send_text (client->connection, "unanswered");
  g_assert_true (rws_test_server_wait_received (server, 1, WAIT_TIMEOUT_MS));
  rws_test_wait_ms (200);
  g_assert_cmpuint (client->messages->len, ==, 0);
}

static gboolean
client_has_one_message (gpointer user_data)
{
  TestClient *client = user_data;

  return client->messages->len >= 1;
}

static void
test_server_send_text (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) first = test_client_connect_ok (server);
  g_autoptr(TestClient) second = test_client_connect_ok (server);

  g_assert_true (rws_test_server_wait_connections (server, 2, WAIT_TIMEOUT_MS));
  rws_test_server_send_text (server, "to everyone");

  g_assert_true (rws_test_wait_until (client_has_one_message, first, WAIT_TIMEOUT_MS));
  g_assert_true (rws_test_wait_until (client_has_one_message, second, WAIT_TIMEOUT_MS));
  g_assert_cmpstr (first->messages->pdata[0], ==, "to everyone");
  g_assert_cmpstr (second->messages->pdata[0], ==, "to everyone");
}

static void
test_server_refuse_retry_after (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  g_autoptr(TestClient) rejected = NULL;
  g_autoptr(TestClient) accepted = NULL;
  const char *retry_after;

  rws_test_server_refuse (server, SOUP_STATUS_SERVICE_UNAVAILABLE, "7", 1);

  rejected = test_client_connect (url, NULL, NULL);
  g_assert_null (rejected->connection);
  g_assert_error (rejected->error, SOUP_WEBSOCKET_ERROR,
                  SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_test_message ("rejected upgrade: %s", rejected->error->message);
  g_assert_cmpuint (soup_message_get_status (rejected->msg), ==,
                    SOUP_STATUS_SERVICE_UNAVAILABLE);
  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (rejected->msg),
                                              "Retry-After");
  g_assert_cmpstr (retry_after, ==, "7");

  accepted = test_client_connect (url, NULL, NULL);
  g_assert_no_error (accepted->error);
  g_assert_cmpuint (soup_message_get_status (accepted->msg), ==,
                    SOUP_STATUS_SWITCHING_PROTOCOLS);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (server), ==, 2);
  g_assert_true (rws_test_server_wait_connections (server, 1, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 1);
}

static void
test_server_refuse_count (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);

  rws_test_server_refuse (server, SOUP_STATUS_BAD_GATEWAY, NULL, -1);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(TestClient) client = test_client_connect (url, NULL, NULL);

      g_assert_error (client->error, SOUP_WEBSOCKET_ERROR,
                      SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
      g_assert_cmpuint (soup_message_get_status (client->msg), ==,
                        SOUP_STATUS_BAD_GATEWAY);
      g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (client->msg),
                                                   "Retry-After"));
    }

  rws_test_server_refuse (server, 0, NULL, 0);
  {
    g_autoptr(TestClient) client = test_client_connect (url, NULL, NULL);

    g_assert_no_error (client->error);
  }

  g_assert_cmpuint (rws_test_server_get_upgrade_requests (server), ==, 4);
  g_assert_true (rws_test_server_wait_connections (server, 1, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 1);
}

static void
test_server_require_header (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autofree char *url = rws_test_server_dup_url (server);
  g_autoptr(TestClient) missing = NULL;
  g_autoptr(TestClient) wrong = NULL;
  g_autoptr(TestClient) right = NULL;

  rws_test_server_set_require_header (server, "Authorization", "Bearer secret");

  missing = test_client_connect (url, NULL, NULL);
  g_assert_error (missing->error, SOUP_WEBSOCKET_ERROR,
                  SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_assert_cmpuint (soup_message_get_status (missing->msg), ==,
                    SOUP_STATUS_UNAUTHORIZED);

  wrong = test_client_connect (url, "Authorization", "Bearer other");
  g_assert_cmpuint (soup_message_get_status (wrong->msg), ==,
                    SOUP_STATUS_UNAUTHORIZED);

  right = test_client_connect (url, "Authorization", "Bearer secret");
  g_assert_no_error (right->error);
  g_assert_true (rws_test_server_wait_connections (server, 1, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_connections (server), ==, 1);
}

static void
test_server_close_all (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);

  rws_test_server_close_all (server, 4000, "test close");

  g_assert_true (rws_test_wait_until (client_closed, client, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->connection), ==, 4000);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (client->connection), ==,
                   "test close");
  g_assert_true (rws_test_server_wait_open_connections (server, 0, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (rws_test_server_get_last_close_code (server), ==, 4000);
}

static void
test_server_close_on_open (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) first = NULL;
  g_autoptr(TestClient) second = NULL;

  rws_test_server_set_close_on_open (server, 4001);

  first = test_client_connect_ok (server);
  g_assert_true (rws_test_wait_until (client_closed, first, WAIT_TIMEOUT_MS));
  g_assert_cmpuint (soup_websocket_connection_get_close_code (first->connection), ==, 4001);

  rws_test_server_set_close_on_open (server, 0);
  second = test_client_connect_ok (server);
  rws_test_wait_ms (200);
  g_assert_false (second->closed);
  g_assert_cmpuint (rws_test_server_get_open_connections (server), ==, 1);
}

/* Accepts the close codes a client can report for a connection that ended
 * without a close frame, and logs which one libsoup reported.
 */
static void
assert_closed_without_frame (TestClient *client,
                             const char *what)
{
  gushort code = soup_websocket_connection_get_close_code (client->connection);

  g_test_message ("%s: client close code %u, %u error signals", what, code,
                  client->errors);
  g_assert_true (code == 0 ||
                 code == SOUP_WEBSOCKET_CLOSE_NO_STATUS ||
                 code == SOUP_WEBSOCKET_CLOSE_ABNORMAL);
}

static void
test_server_close_on_open_abnormal (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = NULL;

  rws_test_server_set_close_on_open (server, SOUP_WEBSOCKET_CLOSE_ABNORMAL);

  client = test_client_connect_ok (server);
  g_assert_true (rws_test_wait_until (client_closed, client, WAIT_TIMEOUT_MS));
  assert_closed_without_frame (client, "close on open with 1006");
  g_assert_true (rws_test_server_wait_open_connections (server, 0, WAIT_TIMEOUT_MS));
  g_test_message ("close on open with 1006: server close code %u",
                  rws_test_server_get_last_close_code (server));
}

static void
test_server_drop_all (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);

  g_assert_true (rws_test_server_wait_connections (server, 1, WAIT_TIMEOUT_MS));
  rws_test_server_drop_all (server);

  g_assert_true (rws_test_wait_until (client_closed, client, WAIT_TIMEOUT_MS));
  assert_closed_without_frame (client, "drop_all");
  g_assert_true (rws_test_server_wait_open_connections (server, 0, WAIT_TIMEOUT_MS));
  g_test_message ("drop_all: server close code %u",
                  rws_test_server_get_last_close_code (server));
}

typedef struct
{
  TestClient *client;
  guint       pongs;
} PongCondition;

static gboolean
client_has_more_pongs (gpointer user_data)
{
  PongCondition *condition = user_data;

  return condition->client->pongs > condition->pongs;
}

static void
test_server_freeze_stops_pongs (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);
  PongCondition condition = { client, 0 };
  guint pongs_frozen;
  gint64 freeze_start;
  gint64 frozen_checked;

  soup_websocket_connection_set_keepalive_interval (client->connection, 1);
  g_assert_true (rws_test_wait_until (client_has_more_pongs, &condition, 3000));

  freeze_start = g_get_monotonic_time ();
  rws_test_server_freeze (server, 2500);

  /* A pong the server wrote just before the freeze may still arrive. */
  rws_test_wait_ms (300);
  pongs_frozen = client->pongs;
  rws_test_wait_ms (1900);
  frozen_checked = g_get_monotonic_time ();
  g_assert_cmpint (frozen_checked - freeze_start, <, 2500 * 1000);
  g_assert_cmpuint (client->pongs, ==, pongs_frozen);

  condition.pongs = pongs_frozen;
  g_assert_true (rws_test_wait_until (client_has_more_pongs, &condition, 3000));
  g_assert_false (client->closed);
  g_assert_cmpint (soup_websocket_connection_get_state (client->connection), ==,
                   SOUP_WEBSOCKET_STATE_OPEN);
}

static void
test_server_many_messages (void)
{
  const guint n_messages = 40000;
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);
  g_autoptr(GPtrArray) received = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n_messages; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", i);

      soup_websocket_connection_send_text (client->connection, text);
    }

  g_assert_true (rws_test_server_wait_received (server, n_messages, 30000));
  g_test_message ("%u messages received in %" G_GINT64_FORMAT " ms", n_messages,
                  (g_get_monotonic_time () - start) / 1000);

  received = rws_test_server_dup_received (server);
  g_assert_cmpuint (received->len, ==, n_messages);
  for (guint i = 0; i < n_messages; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", i);

      if (g_strcmp0 (received->pdata[i], expected) != 0)
        g_assert_cmpstr (received->pdata[i], ==, expected);
    }
}

static void
test_server_free_drops_clients (void)
{
  RwsTestServer *server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);

  rws_test_server_free (server);

  g_assert_true (rws_test_wait_until (client_closed, client, WAIT_TIMEOUT_MS));
  assert_closed_without_frame (client, "server free");
}

static void
run_server_cycle (void)
{
  g_autoptr(RwsTestServer) server = rws_test_server_new ();
  g_autoptr(TestClient) client = test_client_connect_ok (server);

  soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_assert_true (rws_test_wait_until (client_closed, client, WAIT_TIMEOUT_MS));
  g_assert_true (rws_test_server_wait_open_connections (server, 0, WAIT_TIMEOUT_MS));
}

static void
test_server_free_releases_fds (void)
{
  guint fds_before;
  guint fds_after;

  /* GLib and libsoup keep a few descriptors open for the rest of the process
   * after the first cycle, so only later cycles are compared.
   */
  run_server_cycle ();
  fds_before = rws_test_count_open_fds ();
  for (guint i = 0; i < 3; i++)
    run_server_cycle ();
  fds_after = rws_test_count_open_fds ();

  g_assert_cmpuint (fds_after, ==, fds_before);
}

static void
test_silent_listener_unanswered (void)
{
  g_autoptr(RwsTestSilentListener) listener = rws_test_silent_listener_new ();
  g_autofree char *url = rws_test_silent_listener_dup_url (listener);
  g_autofree char *expected_url = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TestClient) client = NULL;
  gint64 start;

  g_assert_cmpuint (rws_test_silent_listener_get_port (listener), >, 0);
  expected_url = g_strdup_printf ("ws://127.0.0.1:%u/",
                                  rws_test_silent_listener_get_port (listener));
  g_assert_cmpstr (url, ==, expected_url);

  start = g_get_monotonic_time ();
  client = test_client_start (url, NULL, NULL, cancellable);

  g_assert_false (rws_test_wait_until (client_finished, client, 1000));
  g_cancellable_cancel (cancellable);
  g_assert_true (rws_test_wait_until (client_finished, client, WAIT_TIMEOUT_MS));

  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * 1000);
  g_assert_error (client->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (client->connection);
}

typedef struct
{
  guint    emissions;
  gboolean last_available;
  guint    available_notifications;
} NetworkChanges;

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  NetworkChanges *changes = user_data;

  changes->emissions++;
  changes->last_available = available;
}

static void
on_available_notify (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  NetworkChanges *changes = user_data;

  changes->available_notifications++;
}

static void
test_network_monitor_toggle (void)
{
  g_autoptr(RwsTestNetworkMonitor) monitor = rws_test_network_monitor_new (TRUE);
  GNetworkMonitor *network_monitor = G_NETWORK_MONITOR (monitor);
  NetworkChanges changes = { 0, TRUE, 0 };

  g_assert_true (G_IS_INITABLE (monitor));
  g_assert_true (g_initable_init (G_INITABLE (monitor), NULL, NULL));
  g_assert_true (rws_test_network_monitor_get_reachable (monitor));
  g_assert_true (g_network_monitor_get_network_available (network_monitor));
  g_assert_false (g_network_monitor_get_network_metered (network_monitor));
  g_assert_cmpint (g_network_monitor_get_connectivity (network_monitor), ==,
                   G_NETWORK_CONNECTIVITY_FULL);

  g_signal_connect (monitor, "network-changed", G_CALLBACK (on_network_changed), &changes);
  g_signal_connect (monitor, "notify::network-available",
                    G_CALLBACK (on_available_notify), &changes);

  rws_test_network_monitor_set_reachable (monitor, FALSE);
  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_false (changes.last_available);
  g_assert_cmpuint (changes.available_notifications, ==, 1);
  g_assert_false (g_network_monitor_get_network_available (network_monitor));
  g_assert_cmpint (g_network_monitor_get_connectivity (network_monitor), ==,
                   G_NETWORK_CONNECTIVITY_LOCAL);

  rws_test_network_monitor_set_reachable (monitor, FALSE);
  g_assert_cmpuint (changes.emissions, ==, 1);

  rws_test_network_monitor_set_reachable (monitor, TRUE);
  g_assert_cmpuint (changes.emissions, ==, 2);
  g_assert_true (changes.last_available);
  g_assert_cmpuint (changes.available_notifications, ==, 2);
  g_assert_true (g_network_monitor_get_network_available (network_monitor));

  g_signal_handlers_disconnect_by_data (monitor, &changes);
}

static void
test_network_monitor_can_reach (void)
{
  g_autoptr(RwsTestNetworkMonitor) monitor = rws_test_network_monitor_new (FALSE);
  g_autoptr(GSocketConnectable) address = g_network_address_new ("127.0.0.1", 1);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (monitor), ==, 0);

  g_assert_false (g_network_monitor_can_reach (G_NETWORK_MONITOR (monitor), address,
                                               NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
  g_clear_error (&error);

  rws_test_network_monitor_set_reachable (monitor, TRUE);
  g_assert_true (g_network_monitor_can_reach (G_NETWORK_MONITOR (monitor), address,
                                              NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (monitor), ==, 2);
}

typedef struct
{
  gboolean finished;
  gboolean reachable;
  GError  *error;
} ReachResult;

static void
on_can_reach (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReachResult *reach = user_data;

  reach->reachable = g_network_monitor_can_reach_finish (G_NETWORK_MONITOR (source_object),
                                                         result, &reach->error);
  reach->finished = TRUE;
}

static gboolean
reach_finished (gpointer user_data)
{
  ReachResult *reach = user_data;

  return reach->finished;
}

static void
test_network_monitor_can_reach_async (void)
{
  g_autoptr(RwsTestNetworkMonitor) monitor = rws_test_network_monitor_new (FALSE);
  g_autoptr(GSocketConnectable) address = g_network_address_new ("127.0.0.1", 1);
  ReachResult unreachable = { FALSE, TRUE, NULL };
  ReachResult reachable = { FALSE, FALSE, NULL };

  g_network_monitor_can_reach_async (G_NETWORK_MONITOR (monitor), address, NULL,
                                     on_can_reach, &unreachable);
  g_assert_false (unreachable.finished);
  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (monitor), ==, 1);
  g_assert_true (rws_test_wait_until (reach_finished, &unreachable, WAIT_TIMEOUT_MS));
  g_assert_false (unreachable.reachable);
  g_assert_error (unreachable.error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
  g_clear_error (&unreachable.error);

  rws_test_network_monitor_set_reachable (monitor, TRUE);
  g_network_monitor_can_reach_async (G_NETWORK_MONITOR (monitor), address, NULL,
                                     on_can_reach, &reachable);
  g_assert_false (reachable.finished);
  g_assert_true (rws_test_wait_until (reach_finished, &reachable, WAIT_TIMEOUT_MS));
  g_assert_true (reachable.reachable);
  g_assert_no_error (reachable.error);

  g_assert_cmpuint (rws_test_network_monitor_get_reach_checks (monitor), ==, 2);
}

static void
test_misc_count_open_fds (void)
{
  guint before = rws_test_count_open_fds ();
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  g_assert_nonnull (socket);
  g_assert_cmpuint (rws_test_count_open_fds (), ==, before + 1);
  g_socket_close (socket, NULL);
  g_assert_cmpuint (rws_test_count_open_fds (), ==, before);
}

static gboolean
never_called (gpointer user_data)
{
  g_assert_not_reached ();

  return G_SOURCE_REMOVE;
}

static void
test_misc_count_sources (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) first = g_timeout_source_new_seconds (60);
  g_autoptr(GSource) second = g_timeout_source_new_seconds (60);

  g_assert_cmpuint (rws_test_count_sources (context), ==, 0);

  g_source_set_callback (first, never_called, NULL, NULL);
  g_source_set_callback (second, never_called, NULL, NULL);
  g_source_attach (first, context);
  g_source_attach (second, context);
  g_assert_cmpuint (rws_test_count_sources (context), ==, 2);

  g_source_destroy (first);
  g_assert_cmpuint (rws_test_count_sources (context), ==, 1);

  g_source_destroy (second);
  g_assert_cmpuint (rws_test_count_sources (context), ==, 0);
}

static gboolean
flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static gboolean
set_flag_later (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

static gboolean
always_false (gpointer user_data)
{
  return FALSE;
}

static void
test_misc_wait (void)
{
  gint64 start = g_get_monotonic_time ();
  gboolean flag = FALSE;

  rws_test_wait_ms (100);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);

  g_timeout_add (50, set_flag_later, &flag);
  g_assert_true (rws_test_wait_until (flag_is_set, &flag, WAIT_TIMEOUT_MS));

  start = g_get_monotonic_time ();
  g_assert_false (rws_test_wait_until (always_false, NULL, 100));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
}

static void
test_misc_spawn_peer (void)
{
  const char * const argv[] = {
    "sh", "-c", "echo PORT 4321; echo after the port line; exec sleep 30", NULL
  };
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  peer = rws_test_spawn_peer (argv, &port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (peer);
  g_assert_cmpuint (port, ==, 4321);

  rws_test_wait_ms (100);
  rws_test_stop_peer (peer);
  g_assert_true (g_subprocess_get_if_signaled (peer));
  g_assert_cmpint (g_subprocess_get_term_sig (peer), ==, SIGTERM);
}

static void
test_misc_spawn_peer_invalid_line (void)
{
  const char * const argv[] = { "sh", "-c", "echo LISTENING 4321; exec sleep 30", NULL };
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  peer = rws_test_spawn_peer (argv, &port, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (peer);
  g_test_message ("%s", error->message);
}

static void
test_misc_spawn_peer_no_output (void)
{
  const char * const argv[] = { "sh", "-c", "exit 3", NULL };
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  peer = rws_test_spawn_peer (argv, &port, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_null (peer);
}

static void
test_misc_spawn_peer_missing_program (void)
{
  const char * const argv[] = { "rws-test-no-such-program", NULL };
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  peer = rws_test_spawn_peer (argv, &port, &error);
  g_assert_nonnull (error);
  g_assert_null (peer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/connect-counts", test_server_connect_counts);
  g_test_add_func ("/server/echo", test_server_echo);
  g_test_add_func ("/server/no-echo-by-default", test_server_no_echo_by_default);
  g_test_add_func ("/server/send-text", test_server_send_text);
  g_test_add_func ("/server/refuse-retry-after", test_server_refuse_retry_after);
  g_test_add_func ("/server/refuse-count", test_server_refuse_count);
  g_test_add_func ("/server/require-header", test_server_require_header);
  g_test_add_func ("/server/close-all", test_server_close_all);
  g_test_add_func ("/server/close-on-open", test_server_close_on_open);
  g_test_add_func ("/server/close-on-open-abnormal", test_server_close_on_open_abnormal);
  g_test_add_func ("/server/drop-all", test_server_drop_all);
  g_test_add_func ("/server/freeze-stops-pongs", test_server_freeze_stops_pongs);
  g_test_add_func ("/server/many-messages", test_server_many_messages);
  g_test_add_func ("/server/free-drops-clients", test_server_free_drops_clients);
  g_test_add_func ("/server/free-releases-fds", test_server_free_releases_fds);
  g_test_add_func ("/silent-listener/unanswered", test_silent_listener_unanswered);
  g_test_add_func ("/network-monitor/toggle", test_network_monitor_toggle);
  g_test_add_func ("/network-monitor/can-reach", test_network_monitor_can_reach);
  g_test_add_func ("/network-monitor/can-reach-async", test_network_monitor_can_reach_async);
  g_test_add_func ("/misc/count-open-fds", test_misc_count_open_fds);
  g_test_add_func ("/misc/count-sources", test_misc_count_sources);
  g_test_add_func ("/misc/wait", test_misc_wait);
  g_test_add_func ("/misc/spawn-peer", test_misc_spawn_peer);
  g_test_add_func ("/misc/spawn-peer-invalid-line", test_misc_spawn_peer_invalid_line);
  g_test_add_func ("/misc/spawn-peer-no-output", test_misc_spawn_peer_no_output);
  g_test_add_func ("/misc/spawn-peer-missing-program", test_misc_spawn_peer_missing_program);

  return g_test_run ();
}
