/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The json-template protocol plugin against an in-process peer: the
 * subscribe messages it builds from templates, acks matched by id, acks
 * that never come, error replies, routing by topic, application pings,
 * restoring subscriptions after a drop and invalid templates. */

#include "config.h"

#include <string.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

/* How long a test waits after the expected frames arrived, to see that no
 * duplicate or late frame follows. */
#define SETTLE_MS 400

/* A template whose messages carry a request id, for ack matching. */
#define ID_TEMPLATE "{\"op\":\"subscribe\",\"id\":{id},\"args\":[\"{topic}\"]}"

/* How the peer replies to subscribe messages. */
typedef enum
{
  PEER_SILENT,
  PEER_ACK,
} PeerMode;

typedef struct
{
  PeerMode mode;
  char *error_topic;  /* gets an error reply, even in PEER_ACK */
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
  guint messages;
  GPtrArray *texts;
  guint errors;
  GError *last_error;
} SubscriptionLog;

static void
on_subscription_message (RwsSubscription *subscription,
                         RwsMessage      *message,
                         SubscriptionLog *log)
{
  log->messages++;
  g_ptr_array_add (log->texts, g_strdup (rws_message_get_text (message)));
  g_assert_true (rws_message_get_subscription (message) == subscription);
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

/* Replies to subscribe messages that carry an id, in the way many
 * exchanges do: {"id":N,"result":true}, or {"id":N,"error":{...}} for the
 * error topic.  It runs in the server thread, which needs no lock because
 * the peer settings do not change after the test installs this function. */
static GPtrArray *
reply_to_subscribe (guint       connection,
                    const char *message,
                    gpointer    user_data)
{
  Peer *peer = user_data;
  g_autoptr(JsonNode) node = json_from_string (message, NULL);
  g_autofree char *topic = NULL;
  GPtrArray *replies;
  JsonObject *object;
  JsonArray *args;
  gint64 id;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "op", NULL), "subscribe") != 0 ||
      !json_object_has_member (object, "id"))
    return NULL;

  id = json_object_get_int_member (object, "id");
  args = json_object_get_array_member (object, "args");
  topic = g_strdup (json_array_get_string_element (args, 0));

  replies = g_ptr_array_new_with_free_func (g_free);

  if (g_strcmp0 (topic, peer->error_topic) == 0)
    g_ptr_array_add (replies, g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"error\":{\"code\":10001,\"msg\":\"unknown topic %s\"}}",
                                               id, topic));
  else if (peer->mode == PEER_ACK)
    g_ptr_array_add (replies, g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"result\":true}", id));

  return replies;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  fixture->server = rws_test_server_new ();
  url = rws_test_server_dup_url (fixture->server);
  fixture->client = g_object_new (RWS_TYPE_CLIENT,
                                  "url", url,
                                  "protocol", "json-template",
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
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (fixture->protocol), ==, "RwsJsonTemplate");
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
  g_clear_pointer (&fixture->peer.error_topic, g_free);
}

static void
start_peer (Fixture  *fixture,
            PeerMode  mode)
{
  fixture->peer.mode = mode;
  rws_test_server_set_reply_func (fixture->server, reply_to_subscribe,
                                  &fixture->peer, NULL);
}

static void
start_and_wait_ready (Fixture *fixture,
                      guint    ready_count)
{
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready,
                                          ready_count, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
}

/* Counts the frames the server received that are exactly @text. */
static guint
count_received (RwsTestServer *server,
                const char    *text)
{
  g_autoptr(GPtrArray) received = rws_test_server_dup_received (server);
  guint count = 0;

  for (guint i = 0; i < received->len; i++)
    if (g_str_equal (g_ptr_array_index (received, i), text))
      count++;

  return count;
}

/* Counts the frames the server received that contain @part. */
static guint
count_received_containing (RwsTestServer *server,
                           const char    *part)
{
  g_autoptr(GPtrArray) received = rws_test_server_dup_received (server);
  guint count = 0;

  for (guint i = 0; i < received->len; i++)
    if (strstr (g_ptr_array_index (received, i), part) != NULL)
      count++;

  return count;
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

/* Waits until the client has emitted @count messages in all. */
static gboolean
wait_client_messages (RwsRecorder *recorder,
                      guint        count,
                      guint        timeout_ms)
{
  LengthCondition condition = { recorder->messages, count };

  return rws_test_wait_until (length_reached, &condition, timeout_ms);
}

static void
test_subscribe_default_template (Fixture       *fixture,
                                 gconstpointer  data)
{
  RwsSubscription *btc, *quoted;

  btc = rws_client_subscribe (fixture->client, "trades.BTC", NULL);
  quoted = rws_client_subscribe (fixture->client, "a\"b\\c", NULL);

  start_and_wait_ready (fixture, 1);
  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 2);
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"subscribe\",\"args\":[\"trades.BTC\"]}"), ==, 1);
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"subscribe\",\"args\":[\"a\\\"b\\\\c\"]}"), ==, 1);

  /* Without ack-id-pointer nothing is confirmed, so both are active at once. */
  g_assert_cmpuint (rws_protocol_get_ack_timeout (fixture->protocol), ==, 0);
  g_assert_cmpint (rws_subscription_get_state (btc), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpint (rws_subscription_get_state (quoted), ==, RWS_SUBSCRIPTION_ACTIVE);
}

static void
test_subscribe_placeholders (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(JsonNode) params = json_from_string ("{\"depth\":10,\"speed\":\"100ms\"}", NULL);

  g_object_set (fixture->protocol,
                "subscribe-template",
                "{\"method\":\"SUBSCRIBE\",\"id\":{id},\"params\":[{topic}],\"options\":{params},\"tag\":\"req-{id}:{topic}\"}",
                NULL);

  rws_client_subscribe (fixture->client, "btcusdt@depth", params);
  rws_client_subscribe (fixture->client, "ethusdt@trade", NULL);

  start_and_wait_ready (fixture, 1);
  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));

  g_assert_cmpuint (count_received (fixture->server,
                                    "{\"method\":\"SUBSCRIBE\",\"id\":1,\"params\":[\"btcusdt@depth\"],"
                                    "\"options\":{\"depth\":10,\"speed\":\"100ms\"},\"tag\":\"req-1:btcusdt@depth\"}"),
                    ==, 1);
  g_assert_cmpuint (count_received (fixture->server,
                                    "{\"method\":\"SUBSCRIBE\",\"id\":2,\"params\":[\"ethusdt@trade\"],"
                                    "\"options\":null,\"tag\":\"req-2:ethusdt@trade\"}"),
                    ==, 1);
}

static void
test_subscribe_topics_batch (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *expected = "{\"op\":\"subscribe\",\"id\":1,\"args\":[\"a\",\"b\",\"c\"]}";

  g_object_set (fixture->protocol,
                "subscribe-template", "{\"op\":\"subscribe\",\"id\":{id},\"args\":{topics}}",
                NULL);

  rws_client_subscribe (fixture->client, "a", NULL);
  rws_client_subscribe (fixture->client, "b", NULL);
  rws_client_subscribe (fixture->client, "c", NULL);

  start_and_wait_ready (fixture, 1);
  g_assert_true (rws_test_server_wait_received (fixture->server, 1, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 1);
  g_assert_cmpuint (count_received (fixture->server, expected), ==, 1);

  /* The ids start again on the new connection, so the message repeats. */
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 2);
  g_assert_cmpuint (count_received (fixture->server, expected), ==, 2);
}

static void
test_ack_by_id (Fixture       *fixture,
                gconstpointer  data)
{
  RwsSubscription *subscription;

  g_object_set (fixture->protocol,
                "subscribe-template", ID_TEMPLATE,
                "ack-id-pointer", "/id",
                NULL);
  g_assert_cmpuint (rws_protocol_get_ack_timeout (fixture->protocol), ==, 5000);

  start_peer (fixture, PEER_ACK);
  subscription = rws_client_subscribe (fixture->client, "tickers.BTC", NULL);

  start_and_wait_ready (fixture, 1);
  g_assert_cmpint (rws_subscription_get_state (subscription), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpuint (count_received (fixture->server,
                                    "{\"op\":\"subscribe\",\"id\":1,\"args\":[\"tickers.BTC\"]}"),
                    ==, 1);

  /* The ack is consumed by the protocol, never delivered. */
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 0);

  /* A user value of ack-timeout is kept when ack-id-pointer changes. */
  rws_protocol_set_ack_timeout (fixture->protocol, 1234);
  g_object_set (fixture->protocol, "ack-id-pointer", "/reqId", NULL);
  g_assert_cmpuint (rws_protocol_get_ack_timeout (fixture->protocol), ==, 1234);
}

static void
test_ack_never_comes (Fixture       *fixture,
                      gconstpointer  data)
{
  RwsSubscription *silent;
  g_autoptr(SubscriptionLog) log = NULL;

  g_object_set (fixture->client, "subscribe-attempts", 3, NULL);
  g_object_set (fixture->protocol,
                "subscribe-template", ID_TEMPLATE,
                "ack-id-pointer", "/id",
                NULL);
  rws_protocol_set_ack_timeout (fixture->protocol, 200);

  start_peer (fixture, PEER_SILENT);
  silent = rws_client_subscribe (fixture->client, "never.acked", NULL);
  log = subscription_log_new (silent);

  rws_client_start (fixture->client);
  g_assert_true (wait_subscription_state (silent, RWS_SUBSCRIPTION_FAILED, WAIT_MS));
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  /* Exactly subscribe-attempts subscribe frames, and no more after that. */
  rws_test_wait_ms (3 * 200 + SETTLE_MS);
  g_assert_cmpuint (count_received_containing (fixture->server, "never.acked"), ==, 3);
  g_assert_cmpint (rws_subscription_get_state (silent), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpuint (log->errors, >=, 1);

  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
  g_assert_cmpuint (fixture->recorder->ready, ==, 1);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);
}

static void
test_error_reply (Fixture       *fixture,
                  gconstpointer  data)
{
  RwsSubscription *rejected, *accepted;
  g_autoptr(SubscriptionLog) log = NULL;

  g_object_set (fixture->client, "subscribe-attempts", 3, NULL);
  g_object_set (fixture->protocol,
                "subscribe-template", ID_TEMPLATE,
                "ack-id-pointer", "/id",
                "error-pointer", "/error/msg",
                NULL);

  fixture->peer.error_topic = g_strdup ("no.such.topic");
  start_peer (fixture, PEER_ACK);
  rejected = rws_client_subscribe (fixture->client, "no.such.topic", NULL);
  accepted = rws_client_subscribe (fixture->client, "trades.ETH", NULL);
  log = subscription_log_new (rejected);

  start_and_wait_ready (fixture, 1);

  g_assert_cmpint (rws_subscription_get_state (rejected), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpint (rws_subscription_get_state (accepted), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpuint (log->errors, ==, 1);
  g_assert_error (log->last_error, RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR);
  g_assert_nonnull (strstr (log->last_error->message, "unknown topic no.such.topic"));

  /* Rejected at once: one subscribe frame, no retry. */
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (count_received_containing (fixture->server, "no.such.topic"), ==, 1);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 0);
}

static void
test_routing_by_topic (Fixture       *fixture,
                       gconstpointer  data)
{
  RwsSubscription *first, *second;
  g_autoptr(SubscriptionLog) first_log = NULL;
  g_autoptr(SubscriptionLog) second_log = NULL;

  g_object_set (fixture->protocol, "topic-pointer", "/arg/channel", NULL);

  first = rws_client_subscribe (fixture->client, "tickers", NULL);
  second = rws_client_subscribe (fixture->client, "trades", NULL);
  first_log = subscription_log_new (first);
  second_log = subscription_log_new (second);

  start_and_wait_ready (fixture, 1);

  rws_test_server_send_text (fixture->server, "{\"arg\":{\"channel\":\"tickers\"},\"data\":[1]}");
  rws_test_server_send_text (fixture->server, "{\"arg\":{\"channel\":\"trades\"},\"data\":[2]}");
  rws_test_server_send_text (fixture->server, "{\"arg\":{\"channel\":\"other\"},\"data\":[3]}");
  rws_test_server_send_text (fixture->server, "pong");
  rws_test_server_send_text (fixture->server, "{\"arg\":{\"channel\":\"tickers\"},\"data\":[4]}");

  g_assert_true (wait_client_messages (fixture->recorder, 5, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  /* Each frame reaches the client once, in order. */
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (fixture->recorder->messages, 2), ==,
                   "{\"arg\":{\"channel\":\"other\"},\"data\":[3]}");
  g_assert_cmpstr (g_ptr_array_index (fixture->recorder->messages, 3), ==, "pong");

  /* Each routed frame reaches its subscription once. */
  g_assert_cmpuint (first_log->messages, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (first_log->texts, 0), ==,
                   "{\"arg\":{\"channel\":\"tickers\"},\"data\":[1]}");
  g_assert_cmpstr (g_ptr_array_index (first_log->texts, 1), ==,
                   "{\"arg\":{\"channel\":\"tickers\"},\"data\":[4]}");
  g_assert_cmpuint (second_log->messages, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (second_log->texts, 0), ==,
                   "{\"arg\":{\"channel\":\"trades\"},\"data\":[2]}");
}

static void
on_message_check_topic (RwsClient  *client,
                        RwsMessage *message,
                        GPtrArray  *topics)
{
  const char *topic = rws_message_get_topic (message);

  g_ptr_array_add (topics, g_strdup (topic != NULL ? topic : "(none)"));
}

static void
test_payload_pointer (Fixture       *fixture,
                      gconstpointer  data)
{
  RwsSubscription *subscription;
  g_autoptr(SubscriptionLog) log = NULL;
  g_autoptr(GPtrArray) topics = g_ptr_array_new_with_free_func (g_free);

  g_object_set (fixture->protocol,
                "topic-pointer", "/topic",
                "payload-pointer", "/data",
                NULL);
  g_object_set (fixture->client, "codec", "json", NULL);
  g_signal_connect (fixture->client, "message", G_CALLBACK (on_message_check_topic), topics);

  subscription = rws_client_subscribe (fixture->client, "prices", NULL);
  log = subscription_log_new (subscription);

  start_and_wait_ready (fixture, 1);

  /* The payload keeps the server's number text, which a JSON round trip
   * through json-glib would change. */
  rws_test_server_send_text (fixture->server,
                             "{\"topic\":\"prices\",\"data\": {\"p\":0.1,\"n\":123456789012345678901234}}");
  rws_test_server_send_text (fixture->server, "{\"topic\":\"prices\",\"no-data\":true}");

  g_assert_true (wait_client_messages (fixture->recorder, 2, WAIT_MS));
  g_assert_cmpuint (log->messages, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log->texts, 0), ==,
                   "{\"p\":0.1,\"n\":123456789012345678901234}");
  g_assert_cmpstr (g_ptr_array_index (log->texts, 1), ==,
                   "{\"topic\":\"prices\",\"no-data\":true}");
  g_assert_cmpstr (g_ptr_array_index (topics, 0), ==, "prices");
}

static void
test_ping_message (Fixture       *fixture,
                   gconstpointer  data)
{
  g_object_set (fixture->protocol,
                "ping-message", "{\"op\":\"ping\"}",
                "heartbeat-interval", 100,
                NULL);

  start_and_wait_ready (fixture, 1);

  g_assert_true (rws_test_server_wait_received (fixture->server, 3, WAIT_MS));
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"ping\"}"), >=, 3);
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"ping\"}"), ==,
                    rws_test_server_get_received_count (fixture->server));
}

static void
test_restore_after_drop (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *topics[] = { "alpha", "beta", "gamma" };
  RwsSubscription *subscriptions[G_N_ELEMENTS (topics)];
  g_autoptr(SubscriptionLog) alpha_log = NULL;

  g_object_set (fixture->protocol,
                "subscribe-template", ID_TEMPLATE,
                "ack-id-pointer", "/id",
                "topic-pointer", "/topic",
                NULL);
  start_peer (fixture, PEER_ACK);

  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    subscriptions[i] = rws_client_subscribe (fixture->client, topics[i], NULL);
  alpha_log = subscription_log_new (subscriptions[0]);

  start_and_wait_ready (fixture, 1);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 3);

  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  /* Each subscription was sent once per connection, and the request ids
   * started again from 1 on the new connection. */
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    {
      g_autofree char *frame = g_strdup_printf ("{\"op\":\"subscribe\",\"id\":%u,\"args\":[\"%s\"]}",
                                                i + 1, topics[i]);

      g_assert_cmpuint (count_received (fixture->server, frame), ==, 2);
      g_assert_cmpint (rws_subscription_get_state (subscriptions[i]), ==, RWS_SUBSCRIPTION_ACTIVE);
    }

  rws_test_server_send_text (fixture->server, "{\"topic\":\"alpha\",\"data\":1}");
  g_assert_true (wait_client_messages (fixture->recorder, 1, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (alpha_log->messages, ==, 1);
  g_assert_cmpuint (fixture->recorder->messages->len, ==, 1);
}

static void
test_unsubscribe (Fixture       *fixture,
                  gconstpointer  data)
{
  rws_client_subscribe (fixture->client, "keep", NULL);
  rws_client_subscribe (fixture->client, "drop", NULL);

  start_and_wait_ready (fixture, 1);
  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));

  g_assert_true (rws_client_unsubscribe (fixture->client, "drop"));
  g_assert_true (rws_test_server_wait_received (fixture->server, 3, WAIT_MS));
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"unsubscribe\",\"args\":[\"drop\"]}"), ==, 1);

  /* An unsubscribed topic is not restored. */
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"subscribe\",\"args\":[\"keep\"]}"), ==, 2);
  g_assert_cmpuint (count_received (fixture->server, "{\"op\":\"subscribe\",\"args\":[\"drop\"]}"), ==, 1);
}

static void
test_publish (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GBytes) json_payload = g_bytes_new_static ("{\"price\":0.1}", 13);
  g_autoptr(GBytes) text_payload = g_bytes_new_static ("hello \"world\"", 13);
  g_autoptr(GError) error = NULL;

  start_and_wait_ready (fixture, 1);

  g_assert_true (rws_client_publish (fixture->client, "orders", json_payload, &error));
  g_assert_no_error (error);
  g_assert_true (rws_client_publish (fixture->client, "chat", text_payload, &error));
  g_assert_no_error (error);

  g_assert_true (rws_test_server_wait_received (fixture->server, 2, WAIT_MS));
  g_assert_cmpuint (count_received (fixture->server,
                                    "{\"op\":\"publish\",\"topic\":\"orders\",\"data\":{\"price\":0.1}}"),
                    ==, 1);
  g_assert_cmpuint (count_received (fixture->server,
                                    "{\"op\":\"publish\",\"topic\":\"chat\",\"data\":\"hello \\\"world\\\"\"}"),
                    ==, 1);
}

static void
test_invalid_template (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *template = "{\"op\":\"subscribe\",\"args\":[\"{topic}\"]";
  const GError *error;

  g_object_set (fixture->protocol, "subscribe-template", template, NULL);
  rws_client_subscribe (fixture->client, "trades.BTC", NULL);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));

  error = rws_client_get_last_error (fixture->client);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID);
  g_assert_nonnull (strstr (error->message, "subscribe-template"));
  g_assert_nonnull (strstr (error->message, template));

  /* Fatal: no further attempt, and no subscribe frame went out. */
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 0);
  g_assert_cmpuint (fixture->recorder->ready, ==, 0);
}

static void
test_invalid_pointer (Fixture       *fixture,
                      gconstpointer  data)
{
  const GError *error;

  g_object_set (fixture->protocol, "topic-pointer", "arg/channel", NULL);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_FAILED, WAIT_MS));

  error = rws_client_get_last_error (fixture->client);
  g_assert_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID);
  g_assert_nonnull (strstr (error->message, "topic-pointer"));
  g_assert_nonnull (strstr (error->message, "arg/channel"));
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

  add_test ("/json-template/subscribe/default-template", test_subscribe_default_template);
  add_test ("/json-template/subscribe/placeholders", test_subscribe_placeholders);
  add_test ("/json-template/subscribe/topics-batch", test_subscribe_topics_batch);
  add_test ("/json-template/ack/by-id", test_ack_by_id);
  add_test ("/json-template/ack/never-comes", test_ack_never_comes);
  add_test ("/json-template/ack/error-reply", test_error_reply);
  add_test ("/json-template/routing/by-topic", test_routing_by_topic);
  add_test ("/json-template/routing/payload-pointer", test_payload_pointer);
  add_test ("/json-template/ping", test_ping_message);
  add_test ("/json-template/restore-after-drop", test_restore_after_drop);
  add_test ("/json-template/unsubscribe", test_unsubscribe);
  add_test ("/json-template/publish", test_publish);
  add_test ("/json-template/config/invalid-template", test_invalid_template);
  add_test ("/json-template/config/invalid-pointer", test_invalid_pointer);

  return g_test_run ();
}
