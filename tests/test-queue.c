/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The offline queue as a user sees it. Messages sent while the client is
 * not READY reach the server once each and in order after the connection
 * comes up. The queue limit rejects or drops as configured, messages sent
 * from a ready handler go first, and the counters add up. */

#include "config.h"

#include "rws-client-private.h"
#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define INITIAL_MS 50
#define MAX_MS 400
#define WAIT_MS 8000

/* How long a test waits after the expected messages arrived, to see that
 * no duplicate or late message follows. */
#define SETTLE_MS 300

typedef struct
{
  RwsTestServer *server;
  RwsClient *client;
  RwsRecorder *recorder;
} Fixture;

static RwsClient *
create_client (const char *url)
{
  return g_object_new (RWS_TYPE_CLIENT,
                       "url", url,
                       "backoff-initial", INITIAL_MS,
                       "backoff-max", MAX_MS,
                       "backoff-jitter", RWS_JITTER_NONE,
                       "keepalive-interval", 0,
                       "watch-network", FALSE,
                       NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;

  fixture->server = rws_test_server_new ();
  url = rws_test_server_dup_url (fixture->server);
  fixture->client = create_client (url);
  fixture->recorder = rws_recorder_new (fixture->client);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *events = rws_recorder_dump (fixture->recorder);

  g_test_message ("events: %s", events);

  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_clear_pointer (&fixture->recorder, rws_recorder_free);
  g_assert_finalize_object (g_steal_pointer (&fixture->client));
  g_clear_pointer (&fixture->server, rws_test_server_free);
}

static void
send_numbered (RwsClient  *client,
               const char *prefix,
               guint       first,
               guint       last)
{
  for (guint i = first; i <= last; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("%s-%u", prefix, i);

      g_assert_true (rws_client_send_text (client, text, &error));
      g_assert_no_error (error);
    }
}

/* Asserts that the messages the server received that start with
 * "@prefix-" are exactly @prefix-@first to @prefix-@last, each once and in
 * order. */
static void
assert_received_range (RwsTestServer *server,
                       const char    *prefix,
                       guint          first,
                       guint          last)
{
  g_autoptr(GPtrArray) received = rws_test_server_dup_received (server);
  g_autofree char *head = g_strdup_printf ("%s-", prefix);
  guint expected = first;

  for (guint i = 0; i < received->len; i++)
    {
      const char *text = g_ptr_array_index (received, i);
      g_autofree char *expected_text = NULL;

      if (!g_str_has_prefix (text, head))
        continue;

      g_assert_cmpuint (expected, <=, last);
      expected_text = g_strdup_printf ("%s-%u", prefix, expected);
      g_assert_cmpstr (text, ==, expected_text);
      expected++;
    }

  g_assert_cmpuint (expected, ==, last + 1);
}

static void
assert_stats_balanced (RwsClient *client)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (client);

  g_assert_cmpuint (stats->accepted, ==, stats->messages_out + stats->queued + stats->dropped);
}

/* 500 messages sent before start and 500 while the server rejects the
 * upgrade arrive once each and in order after the first accepted upgrade. */
static void
test_queue_order_before_ready (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(RwsStats) stats = NULL;

  rws_test_server_refuse (fixture->server, 503, NULL, 3);

  send_numbered (fixture->client, "m", 1, 500);
  rws_client_start (fixture->client);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_CONNECTING);
  send_numbered (fixture->client, "m", 501, 700);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 1, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_WAITING);
  send_numbered (fixture->client, "m", 701, 1000);

  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 1000, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 1000);
  assert_received_range (fixture->server, "m", 1, 1000);
  g_assert_cmpuint (rws_test_server_get_upgrade_requests (fixture->server), ==, 4);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->accepted, ==, 1000);
  g_assert_cmpuint (stats->messages_out, ==, 1000);
  g_assert_cmpuint (stats->queued, ==, 0);
  g_assert_cmpuint (stats->dropped, ==, 0);
}

/* Messages sent during an outage arrive once each and in order after the
 * reconnect. Messages handed to the socket before the drop are not
 * checked for loss, because the raw protocol may lose them. */
static void
test_queue_order_after_reconnect (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(RwsStats) stats = NULL;

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  send_numbered (fixture->client, "before", 1, 100);
  g_assert_true (rws_test_server_wait_received (fixture->server, 100, WAIT_MS));

  /* Two rejected upgrades keep the client offline for two backoff waits. */
  rws_test_server_refuse (fixture->server, 503, NULL, 2);
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->disconnected, 1, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), !=, RWS_STATE_READY);

  send_numbered (fixture->client, "outage", 1, 500);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 2, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), !=, RWS_STATE_READY);
  send_numbered (fixture->client, "outage", 501, 1000);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 1100, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  assert_received_range (fixture->server, "outage", 1, 1000);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->reconnects, ==, 1);
  g_assert_cmpuint (stats->queued, ==, 0);
  g_assert_cmpuint (stats->messages_out, ==, 1100);
}

static void
test_queue_overflow_reject (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwsStats) stats = NULL;
  g_autoptr(RwsStats) final_stats = NULL;

  rws_client_set_queue_limit (fixture->client, 10);
  rws_client_set_queue_overflow (fixture->client, RWS_OVERFLOW_REJECT);

  send_numbered (fixture->client, "m", 1, 10);
  g_assert_false (rws_client_send_text (fixture->client, "m-11", &error));
  g_assert_error (error, RWS_ERROR, RWS_ERROR_QUEUE_FULL);
  g_assert_nonnull (strstr (error->message, "10"));

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->queued, ==, 10);
  g_assert_cmpuint (stats->accepted, ==, 10);
  g_assert_cmpuint (stats->dropped, ==, 0);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 10, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 10);
  assert_received_range (fixture->server, "m", 1, 10);

  /* The limit applies only while the client is not READY. */
  send_numbered (fixture->client, "ready", 1, 30);
  g_assert_true (rws_test_server_wait_received (fixture->server, 40, WAIT_MS));
  assert_received_range (fixture->server, "ready", 1, 30);

  final_stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (final_stats->accepted, ==, 40);
  g_assert_cmpuint (final_stats->messages_out, ==, 40);
}

static void
test_queue_overflow_drop_oldest (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(RwsStats) stats = NULL;

  rws_client_set_queue_limit (fixture->client, 10);
  rws_client_set_queue_overflow (fixture->client, RWS_OVERFLOW_DROP_OLDEST);

  send_numbered (fixture->client, "m", 1, 25);

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->accepted, ==, 25);
  g_assert_cmpuint (stats->queued, ==, 10);
  g_assert_cmpuint (stats->dropped, ==, 15);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 10, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 10);
  assert_received_range (fixture->server, "m", 16, 25);
}

typedef struct
{
  RwsClient *client;
  guint queued_at_connected;
  guint64 out_at_connected;
  guint64 out_at_ready;
  guint received_at_ready;
  RwsTestServer *server;
} ReadyProbe;

static void
probe_connected (RwsClient  *client,
                 ReadyProbe *probe)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (client);

  probe->queued_at_connected = stats->queued;
  probe->out_at_connected = stats->messages_out;
}

static void
probe_ready (RwsClient  *client,
             ReadyProbe *probe)
{
  g_autoptr(RwsStats) stats = rws_client_get_stats (client);
  g_autoptr(GError) error = NULL;

  probe->out_at_ready = stats->messages_out;
  probe->received_at_ready = rws_test_server_get_received_count (probe->server);

  g_assert_true (rws_client_send_text (client, "hello-from-ready", &error));
  g_assert_no_error (error);
}

/* Queued messages wait for the ready handlers. A message sent from a
 * ready handler reaches the server first, then the queue in order, then
 * messages sent later. */
static void
test_queue_ready_handler_first (Fixture       *fixture,
                                gconstpointer  data)
{
  ReadyProbe probe = { fixture->client, 0, G_MAXUINT64, G_MAXUINT64, G_MAXUINT, fixture->server };
  g_autoptr(GPtrArray) received = NULL;

  g_signal_connect (fixture->client, "connected", G_CALLBACK (probe_connected), &probe);
  g_signal_connect (fixture->client, "ready", G_CALLBACK (probe_ready), &probe);

  send_numbered (fixture->client, "queued", 1, 50);
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  send_numbered (fixture->client, "later", 1, 10);

  g_assert_true (rws_test_server_wait_received (fixture->server, 61, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  /* Nothing was handed to the connection before the ready handlers ran. */
  g_assert_cmpuint (probe.queued_at_connected, ==, 50);
  g_assert_cmpuint (probe.out_at_connected, ==, 0);
  g_assert_cmpuint (probe.out_at_ready, ==, 0);
  g_assert_cmpuint (probe.received_at_ready, ==, 0);

  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 61);
  g_assert_cmpstr (g_ptr_array_index (received, 0), ==, "hello-from-ready");
  for (guint i = 1; i <= 50; i++)
    {
      g_autofree char *expected_text = g_strdup_printf ("queued-%u", i);

      g_assert_cmpstr (g_ptr_array_index (received, i), ==, expected_text);
    }
  for (guint i = 1; i <= 10; i++)
    {
      g_autofree char *expected_text = g_strdup_printf ("later-%u", i);

      g_assert_cmpstr (g_ptr_array_index (received, 50 + i), ==, expected_text);
    }

  g_signal_handlers_disconnect_by_data (fixture->client, &probe);
}

typedef struct
{
  gboolean done;
  gboolean result;
  GError *error;
} SendResult;

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SendResult *send = user_data;

  g_assert_false (send->done);
  send->result = rws_client_send_finish (RWS_CLIENT (source), result, &send->error);
  send->done = TRUE;
}

static gboolean
send_finished (gpointer user_data)
{
  SendResult *send = user_data;

  return send->done;
}

static void
send_async_text (RwsClient  *client,
                 const char *text,
                 SendResult *send)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  rws_client_send_async (client, SOUP_WEBSOCKET_DATA_TEXT, bytes, NULL, send_done, send);
}

/* A queued send_async completes once the connection is READY, and one sent
 * while READY completes too; both reach the server. */
static void
test_queue_send_async (Fixture       *fixture,
                       gconstpointer  data)
{
  SendResult queued = { FALSE, FALSE, NULL };
  SendResult direct = { FALSE, FALSE, NULL };
  g_autoptr(GPtrArray) received = NULL;

  send_async_text (fixture->client, "queued", &queued);
  rws_test_wait_ms (100);
  g_assert_false (queued.done);

  rws_client_start (fixture->client);
  g_assert_true (rws_test_wait_until (send_finished, &queued, WAIT_MS));
  g_assert_no_error (queued.error);
  g_assert_true (queued.result);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);

  send_async_text (fixture->client, "direct", &direct);
  g_assert_true (rws_test_wait_until (send_finished, &direct, WAIT_MS));
  g_assert_no_error (direct.error);
  g_assert_true (direct.result);

  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));
  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (received, 0), ==, "queued");
  g_assert_cmpstr (g_ptr_array_index (received, 1), ==, "direct");
}

/* Closing a client that never connected fails its queued send_async
 * messages with RWS_ERROR_CLOSED and keeps its plain queued messages for
 * the next start. */
static void
test_queue_send_async_closed (Fixture       *fixture,
                              gconstpointer  data)
{
  SendResult send = { FALSE, FALSE, NULL };
  g_autoptr(RwsStats) stats = NULL;
  g_autoptr(GPtrArray) received = NULL;

  send_numbered (fixture->client, "plain", 1, 1);
  send_async_text (fixture->client, "async", &send);
  send_numbered (fixture->client, "plain", 2, 2);

  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_assert_true (rws_test_wait_until (send_finished, &send, WAIT_MS));
  g_assert_false (send.result);
  g_assert_error (send.error, RWS_ERROR, RWS_ERROR_CLOSED);
  g_clear_error (&send.error);

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->queued, ==, 2);
  g_assert_cmpuint (stats->accepted, ==, 3);
  g_assert_cmpuint (stats->accepted, ==, stats->messages_out + stats->queued + stats->dropped);

  rws_client_start (fixture->client);
  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (received, 0), ==, "plain-1");
  g_assert_cmpstr (g_ptr_array_index (received, 1), ==, "plain-2");
}

/* accepted == messages_out + queued + dropped through drops, rejections,
 * an outage and a reconnect. */
static void
test_queue_stats_invariant (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(RwsStats) stats = NULL;

  rws_client_set_queue_limit (fixture->client, 5);
  rws_client_set_queue_overflow (fixture->client, RWS_OVERFLOW_DROP_OLDEST);

  /* Of 12 messages sent before start, 7 are dropped. */
  send_numbered (fixture->client, "a", 1, 12);
  assert_stats_balanced (fixture->client);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
  send_numbered (fixture->client, "b", 1, 10);
  g_assert_true (rws_test_server_wait_received (fixture->server, 15, WAIT_MS));
  assert_stats_balanced (fixture->client);

  /* Of 8 messages sent during the outage, 3 are dropped. The 2 sends
   * rejected after that are not counted as accepted. */
  rws_test_server_refuse (fixture->server, 503, NULL, 2);
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->disconnected, 1, WAIT_MS));
  send_numbered (fixture->client, "c", 1, 8);
  assert_stats_balanced (fixture->client);

  rws_client_set_queue_overflow (fixture->client, RWS_OVERFLOW_REJECT);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (rws_client_send_text (fixture->client, "rejected", &error));
      g_assert_error (error, RWS_ERROR, RWS_ERROR_QUEUE_FULL);
    }
  assert_stats_balanced (fixture->client);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 20, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->accepted, ==, 30);
  g_assert_cmpuint (stats->dropped, ==, 10);
  g_assert_cmpuint (stats->messages_out, ==, 20);
  g_assert_cmpuint (stats->queued, ==, 0);
  g_assert_cmpuint (stats->reconnects, ==, 1);
  g_assert_cmpuint (stats->accepted, ==, stats->messages_out + stats->queued + stats->dropped);

  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 20);
  assert_received_range (fixture->server, "a", 8, 12);
  assert_received_range (fixture->server, "b", 1, 10);
  assert_received_range (fixture->server, "c", 4, 8);
}

static void
test_queue_invalid_utf8 (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RwsStats) stats = NULL;
  g_autoptr(GPtrArray) received = NULL;

  g_assert_false (rws_client_send_text (fixture->client, "bad \xff\xfe text", &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == RWS_ERROR);
  g_assert_nonnull (strstr (error->message, "UTF-8"));

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->accepted, ==, 0);
  g_assert_cmpuint (stats->queued, ==, 0);

  send_numbered (fixture->client, "valid", 1, 1);
  rws_client_start (fixture->client);
  g_assert_true (rws_test_server_wait_received (fixture->server, 1, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (received, 0), ==, "valid-1");
}

/* A message sent while READY goes out before the close frame of a close
 * that the same thread requests right after it. The test body runs outside
 * any main-loop dispatch, like a script that iterates the main context
 * itself between calls. */
static void
test_queue_send_then_close (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(RwsStats) stats = NULL;

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  send_numbered (fixture->client, "goodbye", 1, 3);
  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_assert_true (rws_test_server_wait_open_connections (fixture->server, 0, WAIT_MS));

  stats = rws_client_get_stats (fixture->client);
  g_assert_cmpuint (stats->queued, ==, 0);
  g_assert_cmpuint (stats->messages_out, ==, 3);

  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 3);
  assert_received_range (fixture->server, "goodbye", 1, 3);
}

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  rws_test_init (&argc, &argv);

  ADD ("/queue/order-before-ready", test_queue_order_before_ready);
  ADD ("/queue/order-after-reconnect", test_queue_order_after_reconnect);
  ADD ("/queue/overflow-reject", test_queue_overflow_reject);
  ADD ("/queue/overflow-drop-oldest", test_queue_overflow_drop_oldest);
  ADD ("/queue/ready-handler-first", test_queue_ready_handler_first);
  ADD ("/queue/send-async", test_queue_send_async);
  ADD ("/queue/send-async-closed", test_queue_send_async_closed);
  ADD ("/queue/stats-invariant", test_queue_stats_invariant);
  ADD ("/queue/invalid-utf8", test_queue_invalid_utf8);
  ADD ("/queue/send-then-close", test_queue_send_then_close);

  return g_test_run ();
}
