/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The client's subscription guarantees: a set keyed by topic, restored
 * exactly once after every connection, READY only after every
 * subscription is confirmed or failed, subscribe-attempts counted exactly,
 * and each message delivered once per frame. The raw protocol covers what
 * needs no protocol frames. The json-template plugin covers the rest,
 * against a peer in the test server that acknowledges subscribe messages
 * by request id. */

#include "config.h"

#include <string.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

/* How long a test waits after the expected frames arrived, to see that no
 * duplicate or late frame follows. */
#define SETTLE_MS 400

/* The ack timeout of tests where acks never come, in milliseconds. */
#define SHORT_ACK_MS 150

/* Backoff delays: 50 ms, then 100 ms for every later retry. */
#define BACKOFF_INITIAL_MS 50
#define BACKOFF_MAX_MS 100

#define RECONNECTS 20

#define SUBSCRIBE_TEMPLATE "{\"op\":\"subscribe\",\"id\":{id},\"args\":[\"{topic}\"]}"

/* How the peer replies to subscribe messages. */
typedef enum
{
  PEER_SILENT,
  PEER_ACK,
} PeerMode;

/* One text frame the server received, with the number of its connection,
 * counted from 1. */
typedef struct
{
  guint connection;
  char *text;
} PeerFrame;

/* The peer runs in the server thread, so everything it shares with the
 * test sits behind the mutex. */
typedef struct
{
  GMutex mutex;
  PeerMode mode;
  char *error_topic;   /* gets an error reply, in both modes */
  GPtrArray *frames;   /* PeerFrame */
  GArray *acks;        /* guint acks sent, indexed by connection number */
} Peer;

typedef struct
{
  RwsTestServer *server;
  RwsClient *client;
  RwsRecorder *recorder;
  RwsProtocol *protocol;
  Peer peer;
} Fixture;

static void
peer_frame_free (PeerFrame *frame)
{
  g_free (frame->text);
  g_free (frame);
}

/* Returns the topic of a subscribe message built from SUBSCRIBE_TEMPLATE,
 * with its request id, or NULL for any other message. */
static char *
parse_subscribe (const char *text,
                 gint64     *id)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *object;
  JsonArray *args;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "op", NULL), "subscribe") != 0 ||
      !json_object_has_member (object, "id") ||
      !json_object_has_member (object, "args"))
    return NULL;

  args = json_object_get_array_member (object, "args");
  if (args == NULL || json_array_get_length (args) != 1)
    return NULL;

  *id = json_object_get_int_member (object, "id");
  return g_strdup (json_array_get_string_element (args, 0));
}

/* Records every frame, and replies to each subscribe message with
 * {"id":N,"result":true} in PEER_ACK mode, or with an error reply for the
 * error topic. */
static GPtrArray *
peer_reply (guint       connection,
            const char *message,
            gpointer    user_data)
{
  Peer *peer = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->mutex);
  g_autofree char *topic = NULL;
  PeerFrame *frame = g_new0 (PeerFrame, 1);
  GPtrArray *replies;
  gint64 id = 0;

  frame->connection = connection;
  frame->text = g_strdup (message);
  g_ptr_array_add (peer->frames, frame);

  topic = parse_subscribe (message, &id);
  if (topic == NULL)
    return NULL;

  replies = g_ptr_array_new_with_free_func (g_free);
  if (g_strcmp0 (topic, peer->error_topic) == 0)
    {
      g_ptr_array_add (replies,
                       g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"error\":{\"msg\":\"unknown topic %s\"}}",
                                        id, topic));
    }
  else if (peer->mode == PEER_ACK)
    {
      if (peer->acks->len <= connection)
        g_array_set_size (peer->acks, connection + 1);
      g_array_index (peer->acks, guint, connection)++;
      g_ptr_array_add (replies, g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"result\":true}", id));
    }

  return replies;
}

/* Counts the frames of @connection, or of every connection when it is 0,
 * that contain @part. */
static guint
peer_count (Peer       *peer,
            guint       connection,
            const char *part)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->mutex);
  guint count = 0;

  for (guint i = 0; i < peer->frames->len; i++)
    {
      PeerFrame *frame = g_ptr_array_index (peer->frames, i);

      if ((connection == 0 || frame->connection == connection) &&
          strstr (frame->text, part) != NULL)
        count++;
    }

  return count;
}

/* Copies the texts of the frames of @connection, in arrival order. */
static GPtrArray *
peer_dup_connection_frames (Peer  *peer,
                            guint  connection)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->mutex);
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < peer->frames->len; i++)
    {
      PeerFrame *frame = g_ptr_array_index (peer->frames, i);

      if (frame->connection == connection)
        g_ptr_array_add (texts, g_strdup (frame->text));
    }

  return texts;
}

static guint
peer_get_acks (Peer  *peer,
               guint  connection)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&peer->mutex);

  return connection < peer->acks->len ? g_array_index (peer->acks, guint, connection) : 0;
}

static RwsClient *
create_client (RwsTestServer *server,
               const char    *protocol)
{
  g_autofree char *url = rws_test_server_dup_url (server);

  return g_object_new (RWS_TYPE_CLIENT,
                       "url", url,
                       "protocol", protocol,
                       "backoff-initial", BACKOFF_INITIAL_MS,
                       "backoff-max", BACKOFF_MAX_MS,
                       "backoff-jitter", RWS_JITTER_NONE,
                       "keepalive-interval", 0,
                       "watch-network", FALSE,
                       NULL);
}

static void
set_up (Fixture    *fixture,
        const char *protocol)
{
  g_autoptr(GError) error = NULL;

  g_mutex_init (&fixture->peer.mutex);
  fixture->peer.mode = PEER_ACK;
  fixture->peer.frames = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_frame_free);
  fixture->peer.acks = g_array_new (FALSE, TRUE, sizeof (guint));

  fixture->server = rws_test_server_new ();
  rws_test_server_set_reply_func (fixture->server, peer_reply, &fixture->peer, NULL);

  fixture->client = create_client (fixture->server, protocol);
  fixture->recorder = rws_recorder_new (fixture->client);
  fixture->protocol = rws_client_get_protocol_instance (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->protocol);
}

static void
raw_set_up (Fixture       *fixture,
            gconstpointer  data)
{
  set_up (fixture, "raw");
}

/* json-template with subscribe messages that carry a request id, acks
 * matched by that id, error replies read from /error/msg and incoming
 * messages routed by their "topic" member. */
static void
template_set_up (Fixture       *fixture,
                 gconstpointer  data)
{
  set_up (fixture, "json-template");
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (fixture->protocol), ==, "RwsJsonTemplate");
  g_object_set (fixture->protocol,
                "subscribe-template", SUBSCRIBE_TEMPLATE,
                "ack-id-pointer", "/id",
                "error-pointer", "/error/msg",
                "topic-pointer", "/topic",
                NULL);
  g_assert_cmpuint (rws_protocol_get_ack_timeout (fixture->protocol), >, 0);
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

  g_ptr_array_unref (fixture->peer.frames);
  g_array_unref (fixture->peer.acks);
  g_free (fixture->peer.error_topic);
  g_mutex_clear (&fixture->peer.mutex);
}

static void
set_peer (Fixture    *fixture,
          PeerMode    mode,
          const char *error_topic)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fixture->peer.mutex);

  fixture->peer.mode = mode;
  g_free (fixture->peer.error_topic);
  fixture->peer.error_topic = g_strdup (error_topic);
}

static void
start_and_wait_ready (Fixture *fixture)
{
  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 1, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
}

/* Drops the connection and waits for the ready of connection @ready_count. */
static void
drop_and_wait_ready (Fixture *fixture,
                     guint    ready_count)
{
  rws_test_server_drop_all (fixture->server);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready,
                                          ready_count, WAIT_MS));
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
}

/* The number of frames that subscribe to @topic, on @connection or on all
 * connections when it is 0. */
static guint
count_subscribes (Fixture    *fixture,
                  guint       connection,
                  const char *topic)
{
  g_autofree char *part = g_strdup_printf ("\"args\":[\"%s\"]", topic);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fixture->peer.mutex);
  guint count = 0;

  for (guint i = 0; i < fixture->peer.frames->len; i++)
    {
      PeerFrame *frame = g_ptr_array_index (fixture->peer.frames, i);

      if ((connection == 0 || frame->connection == connection) &&
          g_str_has_prefix (frame->text, "{\"op\":\"subscribe\",") &&
          strstr (frame->text, part) != NULL)
        count++;
    }

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

/* Counts what a subscription emits. */
typedef struct
{
  RwsSubscription *subscription;
  guint messages;
  guint wrong_subscription;  /* messages whose subscription is another */
  guint errors;
  GError *last_error;
} SubscriptionLog;

static void
on_subscription_message (RwsSubscription *subscription,
                         RwsMessage      *message,
                         SubscriptionLog *log)
{
  log->messages++;
  if (rws_message_get_subscription (message) != subscription)
    log->wrong_subscription++;
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
  g_signal_connect (subscription, "message", G_CALLBACK (on_subscription_message), log);
  g_signal_connect (subscription, "error", G_CALLBACK (on_subscription_error), log);

  return log;
}

static void
subscription_log_free (SubscriptionLog *log)
{
  g_signal_handlers_disconnect_by_data (log->subscription, log);
  g_object_unref (log->subscription);
  g_clear_error (&log->last_error);
  g_free (log);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SubscriptionLog, subscription_log_free)

/* raw protocol */

static void
test_raw_same_object (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) params = json_from_string ("{\"depth\":10}", NULL);
  RwsSubscription *first, *second, *third;

  first = rws_client_subscribe (fixture->client, "trades", params);
  second = rws_client_subscribe (fixture->client, "trades", NULL);
  g_assert_true (first == second);
  g_assert_cmpuint (g_list_model_get_n_items (rws_client_get_subscriptions (fixture->client)), ==, 1);

  /* The second call changes nothing, not even the parameters. */
  g_assert_nonnull (rws_subscription_get_params (first));
  g_assert_true (json_node_equal (rws_subscription_get_params (first), params));

  /* Also once the client is ready. */
  start_and_wait_ready (fixture);
  third = rws_client_subscribe (fixture->client, "trades", NULL);
  g_assert_true (third == first);
  g_assert_cmpuint (g_list_model_get_n_items (rws_client_get_subscriptions (fixture->client)), ==, 1);
}

static void
test_raw_sends_nothing (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(SubscriptionLog) log = NULL;
  RwsSubscription *before, *after;
  g_autoptr(GError) error = NULL;

  before = rws_client_subscribe (fixture->client, "before", NULL);
  log = subscription_log_new (before);
  g_assert_cmpint (rws_subscription_get_state (before), ==, RWS_SUBSCRIPTION_PENDING);

  start_and_wait_ready (fixture);
  g_assert_cmpint (rws_subscription_get_state (before), ==, RWS_SUBSCRIPTION_ACTIVE);

  after = rws_client_subscribe (fixture->client, "after", NULL);
  g_assert_cmpint (rws_subscription_get_state (after), ==, RWS_SUBSCRIPTION_ACTIVE);

  /* The only frame at the server is the application's own message. */
  g_assert_true (rws_client_send_text (fixture->client, "application", &error));
  g_assert_no_error (error);
  g_assert_true (rws_test_server_wait_received (fixture->server, 1, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);
  received = rws_test_server_dup_received (fixture->server);
  g_assert_cmpuint (received->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (received, 0), ==, "application");

  /* Every message goes to the client, none to a subscription. */
  rws_test_server_send_text (fixture->server, "before");
  g_assert_true (wait_client_messages (fixture->recorder, 1, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (fixture->recorder->messages, 0), ==, "before");
  g_assert_cmpuint (log->messages, ==, 0);

  /* Restored after a reconnect, still without a frame. */
  drop_and_wait_ready (fixture, 2);
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 1);
  g_assert_cmpint (rws_subscription_get_state (before), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpint (rws_subscription_get_state (after), ==, RWS_SUBSCRIPTION_ACTIVE);
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
} ItemsChange;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  ItemsChange change = { position, removed, added };

  g_array_append_val (changes, change);
}

static void
assert_change (GArray *changes,
               guint   index,
               guint   position,
               guint   removed,
               guint   added)
{
  ItemsChange *change;

  g_assert_cmpuint (changes->len, >, index);
  change = &g_array_index (changes, ItemsChange, index);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
}

static void
test_raw_list_model (Fixture       *fixture,
                     gconstpointer  data)
{
  GListModel *model = rws_client_get_subscriptions (fixture->client);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (ItemsChange));
  g_autoptr(RwsSubscription) alpha = NULL;
  g_autoptr(RwsSubscription) item = NULL;

  g_assert_true (G_IS_LIST_MODEL (model));
  g_assert_true (g_list_model_get_item_type (model) == RWS_TYPE_SUBSCRIPTION);
  g_assert_true (rws_client_get_subscriptions (fixture->client) == model);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), changes);

  alpha = g_object_ref (rws_client_subscribe (fixture->client, "alpha", NULL));
  assert_change (changes, 0, 0, 0, 1);
  rws_client_subscribe (fixture->client, "beta", NULL);
  assert_change (changes, 1, 1, 0, 1);

  /* A topic already in the set changes nothing. */
  rws_client_subscribe (fixture->client, "alpha", NULL);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  item = g_list_model_get_item (model, 0);
  g_assert_true (item == alpha);

  g_assert_true (rws_client_unsubscribe (fixture->client, "alpha"));
  assert_change (changes, 2, 0, 1, 0);
  g_assert_cmpint (rws_subscription_get_state (alpha), ==, RWS_SUBSCRIPTION_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

  /* A topic not in the set: FALSE, and no signal. */
  g_assert_false (rws_client_unsubscribe (fixture->client, "alpha"));
  g_assert_cmpuint (changes->len, ==, 3);

  /* The same while the client is ready. */
  start_and_wait_ready (fixture);
  rws_client_subscribe (fixture->client, "gamma", NULL);
  assert_change (changes, 3, 1, 0, 1);
  g_assert_true (rws_client_unsubscribe (fixture->client, "beta"));
  assert_change (changes, 4, 0, 1, 0);
  g_assert_cmpuint (changes->len, ==, 5);

  g_clear_object (&item);
  item = g_list_model_get_item (model, 0);
  g_assert_cmpstr (rws_subscription_get_topic (item), ==, "gamma");

  g_signal_handlers_disconnect_by_data (model, changes);
}

/* json-template */

static const char * const restore_topics[] = { "alpha", "beta", "gamma" };

typedef struct
{
  Fixture *fixture;
  RwsSubscription *subscriptions[G_N_ELEMENTS (restore_topics)];
  guint ready;
  guint ready_before_all_active;
  guint ready_before_all_acks;
  guint queued;
} RestoreState;

/* The ready handler checks that every subscription was confirmed on the
 * new connection. */
static void
on_restore_ready (RwsClient    *client,
                  RestoreState *state)
{
  guint connection = rws_test_server_get_connections (state->fixture->server);

  state->ready++;

  for (guint i = 0; i < G_N_ELEMENTS (state->subscriptions); i++)
    if (rws_subscription_get_state (state->subscriptions[i]) != RWS_SUBSCRIPTION_ACTIVE)
      {
        state->ready_before_all_active++;
        break;
      }

  if (peer_get_acks (&state->fixture->peer, connection) < G_N_ELEMENTS (restore_topics))
    state->ready_before_all_acks++;
}

/* Queues one application message while the client is offline, to see it
 * leave after the subscribe messages of the next connection. */
static void
on_restore_disconnected (RwsClient    *client,
                         gushort       code,
                         const char   *reason,
                         RestoreState *state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("queued-%u", ++state->queued);

  g_assert_true (rws_client_send_text (client, text, &error));
  g_assert_no_error (error);
}

static void
test_restore_reconnects (Fixture       *fixture,
                         gconstpointer  data)
{
  RestoreState state = { fixture, };
  g_autoptr(GError) error = NULL;
  guint connections = RECONNECTS + 1;

  for (guint i = 0; i < G_N_ELEMENTS (restore_topics); i++)
    state.subscriptions[i] = rws_client_subscribe (fixture->client, restore_topics[i], NULL);

  g_signal_connect (fixture->client, "ready", G_CALLBACK (on_restore_ready), &state);
  g_signal_connect (fixture->client, "disconnected", G_CALLBACK (on_restore_disconnected), &state);

  /* queued-0 waits for the first connection. */
  g_assert_true (rws_client_send_text (fixture->client, "queued-0", &error));
  g_assert_no_error (error);

  rws_client_start (fixture->client);
  for (guint connection = 1; connection <= connections; connection++)
    {
      g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready,
                                              connection, WAIT_MS));
      /* Three subscribe messages and one queued message. */
      g_assert_true (rws_test_server_wait_received (fixture->server, 4 * connection, WAIT_MS));
      if (connection < connections)
        rws_test_server_drop_all (fixture->server);
    }
  rws_test_wait_ms (SETTLE_MS);

  g_signal_handlers_disconnect_by_data (fixture->client, &state);

  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, connections);
  g_assert_cmpuint (fixture->recorder->ready, ==, connections);
  g_assert_cmpuint (state.ready, ==, connections);
  g_assert_cmpuint (state.ready_before_all_active, ==, 0);
  g_assert_cmpuint (state.ready_before_all_acks, ==, 0);
  g_assert_cmpuint (peer_count (&fixture->peer, 0, "\"op\":\"subscribe\""),
                    ==, G_N_ELEMENTS (restore_topics) * connections);

  for (guint connection = 1; connection <= connections; connection++)
    {
      g_autoptr(GPtrArray) frames = peer_dup_connection_frames (&fixture->peer, connection);
      g_autofree char *queued = g_strdup_printf ("queued-%u", connection - 1);

      /* Each subscription restored exactly once on each connection. */
      for (guint i = 0; i < G_N_ELEMENTS (restore_topics); i++)
        g_assert_cmpuint (count_subscribes (fixture, connection, restore_topics[i]), ==, 1);

      /* The subscribe messages leave before the queued message. */
      g_assert_cmpuint (frames->len, ==, 4);
      for (guint i = 0; i < G_N_ELEMENTS (restore_topics); i++)
        g_assert_true (g_str_has_prefix (g_ptr_array_index (frames, i), "{\"op\":\"subscribe\","));
      g_assert_cmpstr (g_ptr_array_index (frames, 3), ==, queued);
    }

  for (guint i = 0; i < G_N_ELEMENTS (restore_topics); i++)
    g_assert_cmpint (rws_subscription_get_state (state.subscriptions[i]), ==, RWS_SUBSCRIPTION_ACTIVE);
}

static void
test_unsubscribed_not_restored (Fixture       *fixture,
                                gconstpointer  data)
{
  RwsSubscription *dropped;

  rws_client_subscribe (fixture->client, "keep", NULL);
  dropped = g_object_ref (rws_client_subscribe (fixture->client, "drop", NULL));

  start_and_wait_ready (fixture);
  g_assert_cmpuint (count_subscribes (fixture, 1, "drop"), ==, 1);

  g_assert_true (rws_client_unsubscribe (fixture->client, "drop"));
  g_assert_cmpint (rws_subscription_get_state (dropped), ==, RWS_SUBSCRIPTION_CANCELLED);
  g_assert_true (rws_test_server_wait_received (fixture->server, 3, WAIT_MS));
  g_assert_cmpuint (peer_count (&fixture->peer, 1, "{\"op\":\"unsubscribe\",\"args\":[\"drop\"]}"), ==, 1);

  drop_and_wait_ready (fixture, 2);
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (count_subscribes (fixture, 2, "keep"), ==, 1);
  g_assert_cmpuint (count_subscribes (fixture, 2, "drop"), ==, 0);
  g_assert_cmpuint (peer_count (&fixture->peer, 2, "drop"), ==, 0);
  g_assert_cmpint (rws_subscription_get_state (dropped), ==, RWS_SUBSCRIPTION_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (rws_client_get_subscriptions (fixture->client)), ==, 1);

  g_object_unref (dropped);
}

typedef enum
{
  OFFLINE_BEFORE_START,
  OFFLINE_WHILE_REFUSED,
} OfflineCase;

static void
test_subscribe_offline (Fixture       *fixture,
                        gconstpointer  data)
{
  OfflineCase offline = GPOINTER_TO_INT (data);
  RwsSubscription *late;

  if (offline == OFFLINE_BEFORE_START)
    {
      late = rws_client_subscribe (fixture->client, "late", NULL);
      rws_client_start (fixture->client);
    }
  else
    {
      rws_test_server_refuse (fixture->server, 503, NULL, -1);
      rws_client_start (fixture->client);
      g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->reconnecting, 2, WAIT_MS));

      late = rws_client_subscribe (fixture->client, "late", NULL);
      g_assert_cmpint (rws_subscription_get_state (late), ==, RWS_SUBSCRIPTION_PENDING);
      rws_test_server_refuse (fixture->server, 503, NULL, 0);
    }

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 1, WAIT_MS));
  g_assert_cmpint (rws_subscription_get_state (late), ==, RWS_SUBSCRIPTION_ACTIVE);
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);
  g_assert_cmpuint (count_subscribes (fixture, 0, "late"), ==, 1);
  g_assert_cmpuint (rws_test_server_get_received_count (fixture->server), ==, 1);
}

typedef struct
{
  RwsSubscription *subscription;
  guint ready;
  RwsSubscriptionState state_at_ready;
} ReadyWatch;

static void
on_ready_record_state (RwsClient  *client,
                       ReadyWatch *watch)
{
  watch->ready++;
  watch->state_at_ready = rws_subscription_get_state (watch->subscription);
}

static void
test_subscribe_attempts (Fixture       *fixture,
                         gconstpointer  data)
{
  guint attempts = GPOINTER_TO_UINT (data);
  g_autoptr(SubscriptionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  ReadyWatch watch = { NULL, };
  RwsSubscription *silent;

  rws_client_set_subscribe_attempts (fixture->client, attempts);
  rws_protocol_set_ack_timeout (fixture->protocol, SHORT_ACK_MS);
  set_peer (fixture, PEER_SILENT, NULL);

  silent = rws_client_subscribe (fixture->client, "never.acked", NULL);
  log = subscription_log_new (silent);
  watch.subscription = silent;
  g_signal_connect (fixture->client, "ready", G_CALLBACK (on_ready_record_state), &watch);

  rws_client_start (fixture->client);
  g_assert_true (wait_subscription_state (silent, RWS_SUBSCRIPTION_FAILED, WAIT_MS));
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));

  /* Long enough for two more tries if the client made them. */
  rws_test_wait_ms (2 * (SHORT_ACK_MS + BACKOFF_MAX_MS) + SETTLE_MS);

  g_assert_cmpuint (count_subscribes (fixture, 0, "never.acked"), ==, attempts);
  g_assert_cmpuint (rws_subscription_get_attempts (silent), ==, attempts);
  g_assert_cmpint (rws_subscription_get_state (silent), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpuint (log->errors, ==, 1);
  g_assert_error (log->last_error, RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR);
  g_assert_cmpuint (fixture->recorder->errors, ==, 1);

  /* READY once, after the subscription failed, on the one connection. */
  g_assert_cmpuint (watch.ready, ==, 1);
  g_assert_cmpint (watch.state_at_ready, ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 1);

  /* The client still sends and delivers. */
  g_assert_true (rws_client_send_text (fixture->client, "still-up", &error));
  g_assert_no_error (error);
  g_assert_true (rws_test_server_wait_received (fixture->server, attempts + 1, WAIT_MS));
  g_assert_cmpuint (peer_count (&fixture->peer, 1, "still-up"), ==, 1);

  rws_test_server_send_text (fixture->server, "{\"topic\":\"other\",\"data\":1}");
  g_assert_true (wait_client_messages (fixture->recorder, 1, WAIT_MS));
  g_assert_cmpstr (g_ptr_array_index (fixture->recorder->messages, 0), ==, "{\"topic\":\"other\",\"data\":1}");

  g_signal_handlers_disconnect_by_data (fixture->client, &watch);
}

static void
test_error_reply (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SubscriptionLog) log = NULL;
  RwsSubscription *rejected, *accepted;

  set_peer (fixture, PEER_ACK, "no.such.topic");
  rejected = rws_client_subscribe (fixture->client, "no.such.topic", NULL);
  accepted = rws_client_subscribe (fixture->client, "trades", NULL);
  log = subscription_log_new (rejected);

  start_and_wait_ready (fixture);
  g_assert_cmpint (rws_subscription_get_state (rejected), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpint (rws_subscription_get_state (accepted), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpuint (log->errors, ==, 1);
  g_assert_error (log->last_error, RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR);
  g_assert_nonnull (strstr (log->last_error->message, "unknown topic no.such.topic"));

  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (count_subscribes (fixture, 1, "no.such.topic"), ==, 1);

  /* Not restored on the next connection. */
  drop_and_wait_ready (fixture, 2);
  rws_test_wait_ms (SETTLE_MS);
  g_assert_cmpuint (count_subscribes (fixture, 0, "no.such.topic"), ==, 1);
  g_assert_cmpuint (count_subscribes (fixture, 2, "trades"), ==, 1);
  g_assert_cmpint (rws_subscription_get_state (rejected), ==, RWS_SUBSCRIPTION_FAILED);
  g_assert_cmpint (rws_subscription_get_state (accepted), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpuint (log->errors, ==, 1);
}

/* Counts the client's messages by the subscription they carry. */
typedef struct
{
  RwsSubscription *alpha;
  RwsSubscription *beta;
  guint alpha_messages;
  guint beta_messages;
  guint unrouted_messages;
} ClientTally;

static void
on_client_message_tally (RwsClient   *client,
                         RwsMessage  *message,
                         ClientTally *tally)
{
  RwsSubscription *subscription = rws_message_get_subscription (message);

  if (subscription == tally->alpha)
    tally->alpha_messages++;
  else if (subscription == tally->beta)
    tally->beta_messages++;
  else
    tally->unrouted_messages++;
}

static void
send_frames (Fixture    *fixture,
             const char *topic,
             guint       count)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"topic\":\"%s\",\"data\":%u}", topic, i);

      rws_test_server_send_text (fixture->server, text);
    }
}

static void
test_delivery_once (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SubscriptionLog) alpha_first = NULL;
  g_autoptr(SubscriptionLog) alpha_second = NULL;
  g_autoptr(SubscriptionLog) beta_log = NULL;
  ClientTally tally = { NULL, };

  tally.alpha = rws_client_subscribe (fixture->client, "alpha", NULL);
  tally.beta = rws_client_subscribe (fixture->client, "beta", NULL);

  /* Two handlers on one subscription: each receives every frame once. */
  alpha_first = subscription_log_new (tally.alpha);
  alpha_second = subscription_log_new (tally.alpha);
  beta_log = subscription_log_new (tally.beta);
  g_signal_connect (fixture->client, "message", G_CALLBACK (on_client_message_tally), &tally);

  start_and_wait_ready (fixture);
  send_frames (fixture, "alpha", 5);
  send_frames (fixture, "beta", 3);
  send_frames (fixture, "unknown", 2);
  g_assert_true (wait_client_messages (fixture->recorder, 10, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (fixture->recorder->messages->len, ==, 10);
  g_assert_cmpuint (alpha_first->messages, ==, 5);
  g_assert_cmpuint (alpha_second->messages, ==, 5);
  g_assert_cmpuint (beta_log->messages, ==, 3);
  g_assert_cmpuint (tally.alpha_messages, ==, 5);
  g_assert_cmpuint (tally.beta_messages, ==, 3);
  g_assert_cmpuint (tally.unrouted_messages, ==, 2);

  /* After a reconnect the handlers are not doubled. */
  drop_and_wait_ready (fixture, 2);
  send_frames (fixture, "alpha", 5);
  send_frames (fixture, "beta", 3);
  g_assert_true (wait_client_messages (fixture->recorder, 18, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (fixture->recorder->messages->len, ==, 18);
  g_assert_cmpuint (alpha_first->messages, ==, 10);
  g_assert_cmpuint (alpha_second->messages, ==, 10);
  g_assert_cmpuint (beta_log->messages, ==, 6);
  g_assert_cmpuint (tally.alpha_messages, ==, 10);
  g_assert_cmpuint (tally.beta_messages, ==, 6);
  g_assert_cmpuint (tally.unrouted_messages, ==, 2);
  g_assert_cmpuint (alpha_first->wrong_subscription, ==, 0);
  g_assert_cmpuint (beta_log->wrong_subscription, ==, 0);

  g_signal_handlers_disconnect_by_data (fixture->client, &tally);
}

static void
test_close_then_start (Fixture       *fixture,
                       gconstpointer  data)
{
  RwsSubscription *alpha, *beta;

  alpha = rws_client_subscribe (fixture->client, "alpha", NULL);
  beta = rws_client_subscribe (fixture->client, "beta", NULL);

  start_and_wait_ready (fixture);
  rws_client_close (fixture->client, 1000, NULL);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (rws_client_get_subscriptions (fixture->client)), ==, 2);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  rws_test_wait_ms (SETTLE_MS);

  g_assert_cmpuint (rws_test_server_get_connections (fixture->server), ==, 2);
  g_assert_cmpuint (count_subscribes (fixture, 2, "alpha"), ==, 1);
  g_assert_cmpuint (count_subscribes (fixture, 2, "beta"), ==, 1);
  g_assert_cmpuint (count_subscribes (fixture, 0, "alpha"), ==, 2);
  g_assert_cmpuint (count_subscribes (fixture, 0, "beta"), ==, 2);
  g_assert_cmpint (rws_subscription_get_state (alpha), ==, RWS_SUBSCRIPTION_ACTIVE);
  g_assert_cmpint (rws_subscription_get_state (beta), ==, RWS_SUBSCRIPTION_ACTIVE);
}

#define ADD_RAW(path, func) \
  g_test_add ((path), Fixture, NULL, raw_set_up, (func), fixture_tear_down)
#define ADD_TEMPLATE(path, data, func) \
  g_test_add ((path), Fixture, (data), template_set_up, (func), fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_autofree char *plugins_dir = NULL;

  rws_test_init (&argc, &argv);

  /* The plugin modules built in this tree, found without an install. */
  plugins_dir = g_test_build_filename (G_TEST_BUILT, "..", "plugins", NULL);
  rws_registry_add_search_path (rws_registry_get_default (), plugins_dir);

  ADD_RAW ("/subscriptions/raw/same-object", test_raw_same_object);
  ADD_RAW ("/subscriptions/raw/sends-nothing", test_raw_sends_nothing);
  ADD_RAW ("/subscriptions/raw/list-model", test_raw_list_model);
  ADD_TEMPLATE ("/subscriptions/restore/20-reconnects", NULL, test_restore_reconnects);
  ADD_TEMPLATE ("/subscriptions/restore/unsubscribed", NULL, test_unsubscribed_not_restored);
  ADD_TEMPLATE ("/subscriptions/offline/before-start", GINT_TO_POINTER (OFFLINE_BEFORE_START),
                test_subscribe_offline);
  ADD_TEMPLATE ("/subscriptions/offline/while-refused", GINT_TO_POINTER (OFFLINE_WHILE_REFUSED),
                test_subscribe_offline);
  ADD_TEMPLATE ("/subscriptions/attempts/5", GUINT_TO_POINTER (5), test_subscribe_attempts);
  ADD_TEMPLATE ("/subscriptions/attempts/1", GUINT_TO_POINTER (1), test_subscribe_attempts);
  ADD_TEMPLATE ("/subscriptions/error-reply", NULL, test_error_reply);
  ADD_TEMPLATE ("/subscriptions/delivery-once", NULL, test_delivery_once);
  ADD_TEMPLATE ("/subscriptions/close-then-start", NULL, test_close_then_start);

  return g_test_run ();
}
