/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The jsonrpc protocol plugin against an in-process JSON-RPC peer that,
 * like an Ethereum node, hands out new subscription ids on every
 * connection.  The tests cover the request format, remapping ids after
 * reconnects, a notification that arrives before the reply naming its id,
 * error replies, replies that never come and unsubscribing. */

#include "config.h"

#include <string.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

/* How long a test waits after the expected frames arrived, to see that no
 * duplicate or late frame follows. */
#define SETTLE_MS 400

#define HOLD_TIME_MS 300

/* The peer's state.  The reply function runs in the server thread and the
 * test reads the results in its own thread, so everything is under @lock. */
typedef struct
{
  GMutex lock;

  /* Settings, made before the client starts. */
  char *subscribe_method;
  char *unsubscribe_method;
  char *notification_method;
  gboolean notify_first;  /* two notifications go out before each reply */
  char *error_topic;      /* gets an error reply */
  char *silent_topic;     /* gets no reply at all */

  /* Results. */
  GHashTable *ids_per_connection;  /* connection number -> ids handed out */
  GHashTable *current_ids;         /* topic -> id handed out last */
  guint subscribe_frames;
  guint unsubscribe_frames;
} Peer;

typedef struct
{
  RwsTestServer *server;
  RwsClient *client;
  RwsRecorder *recorder;
  RwsProtocol *protocol;
  Peer peer;
} Fixture;

/* Counts what a subscription emits. */
typedef struct
{
  RwsSubscription *subscription;
  GPtrArray *texts;
  guint messages_while_pending;
  guint errors;
  GError *last_error;
} SubscriptionLog;

static void
on_subscription_message (RwsSubscription *subscription,
                         RwsMessage      *message,
                         SubscriptionLog *log)
{
  g_ptr_array_add (log->texts, g_strdup (rws_message_get_text (message)));
  if (rws_subscription_get_state (subscription) != RWS_SUBSCRIPTION_ACTIVE)
    log->messages_while_pending++;
}

static void
on_subscription_error (RwsSubscription *subscription,
                       const GError    *error,
                       SubscriptionLog *log)
{
  log->errors++;
  g_clear_error (&log->last_error);
  log->last_error = g_error_copy (error);
}

static SubscriptionLog *
subscription_log_new (RwsSubscription *subscription)
{
  SubscriptionLog *log = g_new0 (SubscriptionLog, 1);

  log->subscription = g_object_ref (subscription);
  log->texts = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (subscription, "message", G_CALLBACK (on_subscription_message), log);
  g_signal_connect (subscription, "error", G_CALLBACK (on_subscription_error), log);

  return log;
}

static void
subscription_log_free (SubscriptionLog *log)
{
  g_signal_handlers_disconnect_by_data (log->subscription, log);
  g_object_unref (log->subscription);
  g_ptr_array_unref (log->texts);
  g_clear_error (&log->last_error);
  g_free (log);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SubscriptionLog, subscription_log_free)

static char *
format_notification (const char *method,
                     const char *subscription_id,
                     const char *result)
{
  return g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"%s\","
                          "\"params\":{\"subscription\":\"%s\",\"result\":%s}}",
                          method, subscription_id, result);
}

/* Replies to one subscribe request.  Called with the peer lock held. */
static void
reply_to_subscribe (Peer       *peer,
                    guint       connection,
                    gint64      request_id,
                    const char *topic,
                    GPtrArray  *replies)
{
  guint count;
  g_autofree char *subscription_id = NULL;

  peer->subscribe_frames++;

  if (g_strcmp0 (topic, peer->silent_topic) == 0)
    return;

  if (g_strcmp0 (topic, peer->error_topic) == 0)
    {
      g_ptr_array_add (replies, g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ","
                                                 "\"error\":{\"code\":-32602,\"message\":\"invalid subscription kind: %s\"}}",
                                                 request_id, topic));
      return;
    }

  count = GPOINTER_TO_UINT (g_hash_table_lookup (peer->ids_per_connection,
                                                 GUINT_TO_POINTER (connection))) + 1;
  g_hash_table_insert (peer->ids_per_connection, GUINT_TO_POINTER (connection),
                       GUINT_TO_POINTER (count));
  subscription_id = g_strdup_printf ("0x%u-%u", connection, count);
  g_hash_table_insert (peer->current_ids, g_strdup (topic), g_strdup (subscription_id));

  if (peer->notify_first)
    {
      g_ptr_array_add (replies, format_notification (peer->notification_method, subscription_id, "{\"early\":1}"));
      g_ptr_array_add (replies, format_notification (peer->notification_method, subscription_id, "{\"early\":2}"));
    }

  g_ptr_array_add (replies, g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"result\":\"%s\"}",
                                             request_id, subscription_id));
}

/* The reply function of the server: a small JSON-RPC subscription server. */
static GPtrArray *
reply_to_request (guint       connection,
                  const char *message,
                  gpointer    user_data)
{
  Peer *peer = user_data;
  g_autoptr(JsonNode) node = json_from_string (message, NULL);
  g_autoptr(GMutexLocker) locker = NULL;
  GPtrArray *replies = g_ptr_array_new_with_free_func (g_free);
  JsonObject *request;
  JsonArray *params;
  const char *method;
  gint64 request_id;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return replies;

  request = json_node_get_object (node);
  method = json_object_get_string_member_with_default (request, "method", "");
  request_id = json_object_get_int_member_with_default (request, "id", -1);
  params = json_object_get_array_member (request, "params");

  locker = g_mutex_locker_new (&peer->lock);

  if (g_str_equal (method, peer->subscribe_method))
    {
      reply_to_subscribe (peer, connection, request_id,
                          json_array_get_string_element (params, 0), replies);
    }
  else if (g_str_equal (method, peer->unsubscribe_method))
    {
      peer->unsubscribe_frames++;
      g_ptr_array_add (replies, g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"result\":true}",
                                                 request_id));
    }

  return replies;
}

static char *
peer_dup_current_id (Peer       *peer,
                     const char *topic)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->lock);

  return g_strdup (g_hash_table_lookup (peer->current_ids, topic));
}

static guint
peer_get_subscribe_frames (Peer *peer)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->lock);

  return peer->subscribe_frames;
}

static guint
peer_get_unsubscribe_frames (Peer *peer)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->lock);

  return peer->unsubscribe_frames;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&fixture->peer.lock);
  fixture->peer.subscribe_method = g_strdup ("eth_subscribe");
  fixture->peer.unsubscribe_method = g_strdup ("eth_unsubscribe");
  fixture->peer.notification_method = g_strdup ("eth_subscription");
  fixture->peer.ids_per_connection = g_hash_table_new (NULL, NULL);
  fixture->peer.current_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  fixture->server = rws_test_server_new ();
  url = rws_test_server_dup_url (fixture->server);
  fixture->client = g_object_new (RWS_TYPE_CLIENT,
                                  "url", url,
                                  "protocol", "jsonrpc",
                                  "backoff-initial", 50,
                                  "backoff-max", 100,
                                  "backoff-jitter", RWS_JITTER_NONE,
                                  "keepalive-interval", 0,
                                  "watch-network", FALSE,
                                  NULL);
  fixture->recorder = rws_recorder_new (fixture->client);

  fixture->protocol = rws_client_get_protocol_instance (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->protocol);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (fixture->protocol), ==, "RwsJsonrpc");
  g_object_set (fixture->protocol, "hold-time", HOLD_TIME_MS, NULL);
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
  fixture->protocol = NULL;
  g_assert_finalize_object (g_steal_pointer (&fixture->client));
  g_clear_pointer (&fixture->server, rws_test_server_free);

  g_free (fixture->peer.subscribe_method);
  g_free (fixture->peer.unsubscribe_method);
  g_free (fixture->peer.notification_method);
  g_free (fixture->peer.error_topic);
  g_free (fixture->peer.silent_topic);
  g_hash_table_unref (fixture->peer.ids_per_connection);
  g_hash_table_unref (fixture->peer.current_ids);
  g_mutex_clear (&fixture->peer.lock);
}

/* Installs the peer, whose settings must be final by then. */
static void
start_peer (Fixture *fixture)
{
  rws_test_server_set_reply_func (fixture->server, reply_to_request, &fixture->peer, NULL);
}

static void
start_and_wait_ready (Fixture *fixture)
{
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 1, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
}

/* Drops the connection at the server and waits for the client to be ready
 * again, for the @ready_count-th time. */
static void
drop_and_wait_ready (Fixture *fixture,
                     guint    ready_count)
{
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready,
                                          ready_count, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
}

static void
send_notification (Fixture    *fixture,
                   const char *subscription_id,
                   const char *result)
{
  g_autofree char *text = format_notification (fixture->peer.notification_method,
                                               subscription_id, result);

  rws_test_server_send_text (fixture->server, text);
}

typedef struct
{
  GPtrArray *array;
  guint length;
} LengthCondition;

static gboolean
length_reached (gpointer user_data)
{
  LengthCondition *condition = user_data;

  return condition->array->len >= condition->length;
}

static gboolean
wait_length (GPtrArray *array,
             guint      length,
             guint      timeout_ms)
{
  LengthCondition condition = { array, length };

  return rws_test_wait_until (length_reached, &condition, timeout_ms);
}

typedef struct
{
  RwsSubscription *subscription;
  RwsSubscriptionState state;
} StateCondition;

static gboolean
subscription_state_reached (gpointer user_data)
{
  StateCondition *condition = user_data;

  return rws_subscription_get_state (condition->subscription) == condition->state;
}

static gboolean
wait_subscription_state (RwsSubscription      *subscription,
                         RwsSubscriptionState  state,
                         guint                 timeout_ms)
{
  StateCondition condition = { subscription, state };

  return rws_test_wait_until (subscription_state_reached, &condition, timeout_ms);
}

/* Finds the request the server received for @topic and checks it against
 * @expected_params, the JSON text of its params. */
static void
assert_subscribe_request (RwsTestServer *server,
                          const char    *method,
                          const char    *topic,
                          const char    *expected_params)
{
  g_autoptr(GPtrArray) received = rws_test_server_dup_received (server);
  g_autofree char *head = g_strdup_printf ("\"params\":[\"%s\"", topic);
  guint found = 0;

  for (guint i = 0; i < received->len; i++)
    {
      const char *frame = g_ptr_array_index (received, i);
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *expected = NULL;
      gint64 id;

      if (strstr (frame, head) == NULL)
        continue;

      node = json_from_string (frame, NULL);
      g_assert_nonnull (node);
      id = json_object_get_int_member (json_node_get_object (node), "id");
      expected = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"method\":\"%s\",\"params\":%s}",
                                  id, method, expected_params);
      g_assert_cmpstr (frame, ==, expected);
      found++;
    }

  g_assert_cmpuint (found, ==, 1);
}

static void
test_subscribe_requests (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(JsonNode) object_params = json_from_string ("{\"address\":\"0xabc\",\"topics\":[]}", NULL);
  g_autoptr(JsonNode) array_params = json_from_string ("[1,\"two\"]", NULL);
  g_autoptr(JsonNode) null_params = json_node_new (JSON_NODE_NULL);
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) id_values = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_cmpuint (rws_protocol_get_ack_timeout (fixture->protocol), ==, 10000);

  start_peer (fixture);
  rws_client_subscribe (fixture->client, "newHeads", NULL);
  rws_client_subscribe (fixture->client, "logs", object_params);
  rws_client_subscribe (fixture->client, "spliced", array_params);
  rws_client_subscribe (fixture->client, "nullParams", null_params);

  start_and_wait_ready (fixture);

  assert_subscribe_request (fixture->server, "eth_subscribe", "newHeads", "[\"newHeads\"]");
  assert_subscribe_request (fixture->server, "eth_subscribe", "logs",
                            "[\"logs\",{\"address\":\"0xabc\",\"topics\":[]}]");
  assert_subscribe_request (fixture->server, "eth_subscribe", "spliced", "[\"spliced\",1,\"two\"]");
  assert_subscribe_request (fixture->server, "eth_subscribe", "nullParams", "[\"nullParams\"]");

  /* The request ids on one connection are distinct, from 1. */
  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 4);
  for (guint i = 0; i < received->len; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (g_ptr_array_index (received, i), NULL);
      gint64 id = json_object_get_int_member (json_node_get_object (node), "id");

      g_array_append_val (id_values, id);
    }
  for (guint i = 0; i < id_values->len; i++)
    {
      gint64 *id = &g_array_index (id_values, gint64, i);

      g_assert_cmpint (*id, >=, 1);
      g_assert_cmpint (*id, <=, 4);
      g_assert_false (g_hash_table_contains (ids, id));
      g_hash_table_add (ids, id);
    }
}

static void
test_custom_methods (Fixture       *fixture,
                     gconstpointer  data)
{
  RwsSubscription *subscription;
  g_autoptr(SubscriptionLog) log = NULL;
  g_autofree char *subscription_id = NULL;

  g_free (fixture->peer.subscribe_method);
  g_free (fixture->peer.notification_method);
  fixture->peer.subscribe_method = g_strdup ("subscribe");
  fixture->peer.notification_method = g_strdup ("subscription");
  g_object_set (fixture->protocol,
                "subscribe-method", "subscribe",
                "notification-method", "subscription",
                NULL);

  start_peer (fixture);
  subscription = rws_client_subscribe (fixture->client, "ticker", NULL);
  log = subscription_log_new (subscription);
  start_and_wait_ready (fixture);

  assert_subscribe_request (fixture->server, "subscribe", "ticker", "[\"ticker\"]");
  subscription_id = peer_dup_current_id (&fixture->peer, "ticker");
  g_assert_cmpstr (rws_subscription_get_id (subscription), ==, subscription_id);

  send_notification (fixture, subscription_id, "{\"price\":0.1}");
  g_assert_true (wait_length (log->texts, 1, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (log->texts, 0), ==, "{\"price\":0.1}");
}

static void
test_remap_after_reconnect (Fixture       *fixture,
                            gconstpointer  data)
{
  RwsSubscription *subscription;
  g_autoptr(SubscriptionLog) log = NULL;

  start_peer (fixture);
  subscription = rws_client_subscribe (fixture->client, "newHeads", NULL);
  log = subscription_log_new (subscription);

  start_and_wait_ready (fixture);
  g_assert_cmpstr (rws_subscription_get_id (subscription), ==, "0x1-1");
  g_assert_cmpint (rws_subscription_get_state (subscription), ==, RWS_SUBSCRIPTION_ACTIVE);

  send_notification (fixture, "0x1-1", "{\"number\":\"0x1\"}");
  g_assert_true (wait_length (log->texts, 1, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (log->texts, 0), ==, "{\"number\":\"0x1\"}");

  drop_and_wait_ready (fixture, 2);
  g_assert_cmpstr (rws_subscription_get_id (subscription), ==, "0x2-1");
  g_assert_cmpint (rws_subscription_get_state (subscription), ==, RWS_SUBSCRIPTION_ACTIVE);

  /* The old id means nothing on the new connection. */
  send_notification (fixture, "0x1-1", "{\"number\":\"stale\"}");
  send_notification (fixture, "0x2-1", "{\"number\":\"0x2\"}");
  g_assert_true (wait_length (log->texts, 2, WAIT_MS));
  rws_test_wait_ms (HOLD_TIME_MS + SETTLE_MS);

  g_assert_cmpuint (log->texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log->texts, 1), ==, "{\"number\":\"0x2\"}");
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 2);
  g_assert_cmpuint (peer_get_subscribe_frames (&fixture->peer), ==, 2);
}

static void
test_notification_before_reply (Fixture       *fixture,
                                gconstpointer  data)
{
  RwsSubscription *subscription;
  g_autoptr(SubscriptionLog) log = NULL;

  fixture->peer.notify_first = TRUE;
  start_peer (fixture);
  subscription = rws_client_subscribe (fixture->client, "newPendingTransactions", NULL);
  log = subscription_log_new (subscription);

  start_and_wait_ready (fixture);
  g_assert_true (wait_length (log->texts, 2, WAIT_MS));
  rws_test_wait_ms (HOLD_TIME_MS + SETTLE_MS);

  /* Both held notifications arrive once each, in order, after the reply
   * that named their id. */
  g_assert_cmpuint (log->texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log->texts, 0), ==, "{\"early\":1}");
  g_assert_cmpstr (g_ptr_array_index (log->texts, 1), ==, "{\"early\":2}");
  g_assert_cmpuint (log->messages_while_pending, ==, 0);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 2);

  /* The same holds on the next connection, under the new id. */
  drop_and_wait_ready (fixture, 2);
  g_assert_cmpstr (rws_subscription_get_id (subscription), ==, "0x2-1");
  g_assert_true (wait_length (log->texts, 4, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (log->texts->len, ==, 4);
  g_assert_cmpuint (log->messages_while_pending, ==, 0);
}

static void
test_unknown_id_dropped (Fixture       *fixture,
                         gconstpointer  data)
{
  RwsSubscription *subscription;
  g_autoptr(SubscriptionLog) log = NULL;

  start_peer (fixture);
  subscription = rws_client_subscribe (fixture->client, "newHeads", NULL);
  log = subscription_log_new (subscription);
  start_and_wait_ready (fixture);

  send_notification (fixture, "0xdead", "{\"number\":\"lost\"}");
  rws_test_wait_ms (HOLD_TIME_MS + SETTLE_MS);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 0);
  g_assert_cmpuint (log->texts->len, ==, 0);

  /* Other messages of the server still reach the client. */
  rws_test_server_send_text (fixture->server, "{\"jsonrpc\":\"2.0\",\"method\":\"server_notice\",\"params\":[]}");
  g_assert_true (wait_length (fixture->recorder->messages, 1, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (fixture->recorder->messages, 0), ==,
                   "{\"jsonrpc\":\"2.0\",\"method\":\"server_notice\",\"params\":[]}");
}

static void
test_error_reply (Fixture       *fixture,
                  gconstpointer  data)
{
  RwsSubscription *rejected, *accepted;
  g_autoptr(SubscriptionLog) log = NULL;

  g_object_set (fixture->client, "subscribe-attempts", 3, NULL);
  fixture->peer.error_topic = g_strdup ("nope");
  start_peer (fixture);
  rejected = rws_client_subscribe (fixture->client, "nope", NULL);
  accepted = rws_client_subscribe (fixture->client, "newHeads", NULL);
  log = subscription_log_new (rejected);

  start_and_wait_ready (fixture);

  g_assert_cmpint (rws_subscription_get_state (rejected), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpint (rws_subscription_get_state (accepted), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpuint (log->errors, ==, 1);
  g_assert_error (log->last_error, RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR);
  g_assert_nonnull (strstr (log->last_error->message, "invalid subscription kind: nope"));

  /* Rejected at once: no retry. */
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (peer_get_subscribe_frames (&fixture->peer), ==, 2);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 0);
}

static void
test_reply_never_comes (Fixture       *fixture,
                        gconstpointer  data)
{
  RwsSubscription *silent;
  g_autoptr(SubscriptionLog) log = NULL;

  g_object_set (fixture->client, "subscribe-attempts", 3, NULL);
  rws_protocol_set_ack_timeout (fixture->protocol, 200);
  fixture->peer.silent_topic = g_strdup ("silent");
  start_peer (fixture);
  silent = rws_client_subscribe (fixture->client, "silent", NULL);
  log = subscription_log_new (silent);

  rws_client_start (fixture->client);
  g_assert_true (wait_subscription_state (silent, RWS_SUBSCRIPTION_FAILED, WAIT_MS));
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  /* Exactly subscribe-attempts requests, and none after that. */
  rws_test_wait_ms (3 * 200 + SETTLE_MS);
  g_assert_cmpuint (peer_get_subscribe_frames (&fixture->peer), ==, 3);
  g_assert_cmpint (rws_subscription_get_state (silent), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpuint (log->errors, >=, 1);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);
}

static void
test_twenty_reconnects (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *topics[] = { "newHeads", "logs", "newPendingTransactions" };
  RwsSubscription *subscriptions[G_N_ELEMENTS (topics)];
  SubscriptionLog *logs[G_N_ELEMENTS (topics)];
  const guint reconnects = 20;

  start_peer (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    {
      subscriptions[i] = rws_client_subscribe (fixture->client, topics[i], NULL);
      logs[i] = subscription_log_new (subscriptions[i]);
    }

  start_and_wait_ready (fixture);
  for (guint i = 0; i < reconnects; i++)
    drop_and_wait_ready (fixture, i + 2);
  rws_test_wait_ms (SETTLE_MS);

  /* One request per subscription per connection, never more. */
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, reconnects + 1);
  g_assert_cmpuint (peer_get_subscribe_frames (&fixture->peer), ==, 3 * reconnects + 3);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 3 * reconnects + 3);

  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    {
      g_autofree char *current_id = peer_dup_current_id (&fixture->peer, topics[i]);
      g_autofree char *prefix = g_strdup_printf ("0x%u-", reconnects + 1);

      g_assert_cmpint (rws_subscription_get_state (subscriptions[i]), ==, RWS_SUBSCRIPTION_ACTIVE);
      g_assert_true (g_str_has_prefix (current_id, prefix));
      g_assert_cmpstr (rws_subscription_get_id (subscriptions[i]), ==, current_id);

      send_notification (fixture, current_id, "{\"n\":1}");
      g_assert_true (wait_length (logs[i]->texts, 1, WAIT_MS));
    }

  rws_test_wait_ms (SETTLE_MS);
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    {
      g_assert_cmpuint (logs[i]->texts->len, ==, 1);
      subscription_log_free (logs[i]);
    }
}

static void
test_unsubscribe (Fixture       *fixture,
                  gconstpointer  data)
{
  RwsSubscription *subscription;
  g_autoptr(SubscriptionLog) log = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *params = NULL;

  start_peer (fixture);
  subscription = rws_client_subscribe (fixture->client, "newHeads", NULL);
  log = subscription_log_new (subscription);
  start_and_wait_ready (fixture);
  g_assert_cmpstr (rws_subscription_get_id (subscription), ==, "0x1-1");

  g_assert_true (rws_client_unsubscribe (fixture->client, "newHeads"));
  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));

  received = rws_test_server_dup_received (fixture->server);
  request = json_from_string (g_ptr_array_index (received, 1), NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (request), "method"),
                   ==, "eth_unsubscribe");
  params = json_to_string (json_object_get_member (json_node_get_object (request), "params"), FALSE);
  g_assert_cmpstr (params, ==, "[\"0x1-1\"]");
  g_assert_cmpuint (peer_get_unsubscribe_frames (&fixture->peer), ==, 1);

  /* Notifications still in flight for the old id go nowhere. */
  send_notification (fixture, "0x1-1", "{\"late\":true}");
  rws_test_wait_ms (HOLD_TIME_MS + SETTLE_MS);
  g_assert_cmpuint (log->texts->len, ==, 0);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 0);

  /* The unsubscribed topic is not restored. */
  drop_and_wait_ready (fixture, 2);
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (peer_get_subscribe_frames (&fixture->peer), ==, 1);
}

static void
test_publish_not_supported (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GBytes) payload = g_bytes_new_static ("{}", 2);
  g_autoptr(GError) error = NULL;

  start_and_wait_ready (fixture);

  g_assert_false (rws_client_publish (fixture->client, "newHeads", payload, &error));
  g_assert_error (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "newHeads"));
}

static void
add_test (const char *path,
          void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *plugins_dir = NULL;

  rws_test_init (&argc, &argv);

  /* The plugin modules built in this tree, found without an install. */
  plugins_dir = g_test_build_filename (G_TEST_BUILT, "..", "plugins", NULL);
  rws_registry_add_search_path (rws_registry_get_default (), plugins_dir);

  add_test ("/jsonrpc/subscribe/requests", test_subscribe_requests);
  add_test ("/jsonrpc/subscribe/custom-methods", test_custom_methods);
  add_test ("/jsonrpc/ids/remap-after-reconnect", test_remap_after_reconnect);
  add_test ("/jsonrpc/ids/notification-before-reply", test_notification_before_reply);
  add_test ("/jsonrpc/ids/unknown-dropped", test_unknown_id_dropped);
  add_test ("/jsonrpc/reply/error", test_error_reply);
  add_test ("/jsonrpc/reply/never-comes", test_reply_never_comes);
  add_test ("/jsonrpc/reconnect/twenty", test_twenty_reconnects);
  add_test ("/jsonrpc/unsubscribe", test_unsubscribe);
  add_test ("/jsonrpc/publish/not-supported", test_publish_not_supported);

  return g_test_run ();
}
