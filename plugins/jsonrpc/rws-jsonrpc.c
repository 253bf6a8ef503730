/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The jsonrpc protocol: JSON-RPC 2.0 subscriptions in the style of
 * Ethereum's eth_subscribe, where each subscribe request returns a
 * server-assigned subscription id and notifications name that id.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>
#include <rws.h>

#include "rws-plugin-json.h"

#define DEFAULT_SUBSCRIBE_METHOD    "eth_subscribe"
#define DEFAULT_UNSUBSCRIBE_METHOD  "eth_unsubscribe"
#define DEFAULT_NOTIFICATION_METHOD "eth_subscription"
#define DEFAULT_HOLD_TIME_MS        2000
#define DEFAULT_ACK_TIMEOUT_MS      10000

/* The maximum number of notifications held at once.  Beyond it the oldest
 * is dropped, so a server that floods unknown ids cannot grow memory
 * without bound.
 */
#define MAX_HELD_NOTIFICATIONS 4096

#define RWS_TYPE_JSONRPC (rws_jsonrpc_get_type ())

G_DECLARE_FINAL_TYPE (RwsJsonrpc, rws_jsonrpc, RWS, JSONRPC, RwsProtocol)

typedef enum
{
  REQUEST_SUBSCRIBE,
  REQUEST_UNSUBSCRIBE,
} RequestKind;

/* A request sent on the current connection whose reply has not arrived. */
typedef struct
{
  RequestKind      kind;
  RwsSubscription *subscription;  /* owned, or NULL for an unsubscribe */
} Request;

/* A notification for a subscription id that no reply has named yet. */
typedef struct
{
  char   *subscription_id;
  GBytes *result;
  gint64  deadline;  /* monotonic time, in microseconds */
} HeldNotification;

/**
 * RwsJsonrpc:
 *
 * The `jsonrpc` protocol plugin, for JSON-RPC 2.0 subscriptions as
 * Ethereum nodes and many other servers offer them.
 *
 * Each subscription sends a request of
 * [property@RwsJsonrpc:subscribe-method] whose params are the topic
 * followed by the subscription's parameters: an array of parameters is
 * spliced in, any other value appended, and null left out.  The reply's
 * `result` is the server-assigned subscription id, which becomes the
 * subscription's [property@Rws.Subscription:id], and an error reply fails the
 * subscription with the server's message.  Servers hand out new ids on
 * every connection, so the plugin drops all ids when the connection ends
 * and learns them again from the replies to the restored subscriptions.
 *
 * A notification of [property@RwsJsonrpc:notification-method] delivers its
 * `params.result` member, byte for byte as the server sent it, to the
 * subscription with the id in `params.subscription`.  A notification can
 * arrive before the reply that names its id.  Such a notification waits up
 * to [property@RwsJsonrpc:hold-time] milliseconds, and is delivered in
 * arrival order right after that reply.  Replies to unknown request ids are
 * ignored, and any other message goes to the client as it is.
 *
 * Since: 0.1
 */
struct _RwsJsonrpc
{
  RwsProtocol parent_instance;

  char  *subscribe_method;
  char  *unsubscribe_method;
  char  *notification_method;
  guint  hold_time;

  /* Per-connection state, cleared by reset(). */
  gint64      last_request_id;
  guint       generation;          /* counts resets */
  GHashTable *requests;            /* request id text -> Request */
  GHashTable *subscriptions_by_id; /* subscription id -> RwsSubscription */
  GHashTable *ids_by_subscription; /* RwsSubscription -> subscription id */
  GHashTable *retired_ids;         /* ids unsubscribed on this connection */
  GQueue      held_notifications;  /* HeldNotification, oldest first */
  GSource    *hold_source;

  guint64 dropped_notifications;
};

G_DEFINE_FINAL_TYPE (RwsJsonrpc, rws_jsonrpc, RWS_TYPE_PROTOCOL)

enum
{
  PROP_0,
  PROP_SUBSCRIBE_METHOD,
  PROP_UNSUBSCRIBE_METHOD,
  PROP_NOTIFICATION_METHOD,
  PROP_HOLD_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
request_free (Request *request)
{
  g_clear_object (&request->subscription);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
held_notification_free (HeldNotification *notification)
{
  g_free (notification->subscription_id);
  g_bytes_unref (notification->result);
  g_free (notification);
}

/* Returns the member @name of @object when it is a string, else %NULL.
 * json_object_get_string_member_with_default() would emit a critical
 * warning for an object or array member, which a server can send.
 */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (member);
}

/* Sends a request and registers it under its id, so that its reply can
 * be matched.
 */
static void
send_request (RwsJsonrpc      *self,
              RequestKind      kind,
              RwsSubscription *subscription,
              const char      *method,
              JsonArray       *params)
{
  g_autoptr(JsonNode) params_node = json_node_init_array (json_node_alloc (), params);
  g_autofree char *params_text = rws_json_node_to_string (params_node);
  g_autofree char *method_text = rws_json_escape_string (method, -1);
  g_autofree char *text = NULL;
  Request *request;
  gint64 id = ++self->last_request_id;

  text = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"method\":\"%s\",\"params\":%s}",
                          id, method_text, params_text);

  request = g_new0 (Request, 1);
  request->kind = kind;
  request->subscription = subscription != NULL ? g_object_ref (subscription) : NULL;
  g_hash_table_replace (self->requests,
                        g_strdup_printf ("%" G_GINT64_FORMAT, id), request);

  rws_protocol_send_text (RWS_PROTOCOL (self), text);
}

static void
send_unsubscribe (RwsJsonrpc *self,
                  const char *subscription_id)
{
  g_autoptr(JsonArray) params = json_array_new ();

  json_array_add_string_element (params, subscription_id);
  send_request (self, REQUEST_UNSUBSCRIBE, NULL, self->unsubscribe_method, params);
  g_hash_table_add (self->retired_ids, g_strdup (subscription_id));
}

static void
cancel_hold_timer (RwsJsonrpc *self)
{
  if (self->hold_source == NULL)
    return;

  g_source_destroy (self->hold_source);
  g_clear_pointer (&self->hold_source, g_source_unref);
}

static void
log_dropped (RwsJsonrpc *self,
             guint       count,
             const char *reason)
{
  if (count == 0)
    return;

  self->dropped_notifications += count;
  g_debug ("Dropped %u notifications %s (%" G_GUINT64_FORMAT " on this client so far)",
           count, reason, self->dropped_notifications);
}

static gboolean on_hold_timeout (gpointer user_data);

/* Runs the hold timer until the deadline of the oldest held notification,
 * which is the earliest because hold-time applies to each on arrival.
 */
static void
schedule_hold_timer (RwsJsonrpc *self)
{
  HeldNotification *oldest = g_queue_peek_head (&self->held_notifications);
  g_autoptr(GMainContext) context = NULL;
  gint64 remaining_us;

  cancel_hold_timer (self);

  if (oldest == NULL)
    return;

  remaining_us = MAX (oldest->deadline - g_get_monotonic_time (), 0);
  context = g_main_context_ref_thread_default ();
  self->hold_source = g_timeout_source_new ((guint) ((remaining_us + 999) / 1000));
  g_source_set_callback (self->hold_source, on_hold_timeout, self, NULL);
  g_source_set_static_name (self->hold_source, "[rws-jsonrpc] hold");
  g_source_attach (self->hold_source, context);
}

static gboolean
on_hold_timeout (gpointer user_data)
{
  RwsJsonrpc *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint dropped = 0;
  HeldNotification *notification;

  g_clear_pointer (&self->hold_source, g_source_unref);

  while ((notification = g_queue_peek_head (&self->held_notifications)) != NULL && notification->deadline <= now)
    {
      held_notification_free (g_queue_pop_head (&self->held_notifications));
      dropped++;
    }

  log_dropped (self, dropped, "for subscription ids that no reply named within hold-time");
  schedule_hold_timer (self);

  return G_SOURCE_REMOVE;
}

static void
hold_notification (RwsJsonrpc *self,
                   const char *subscription_id,
                   GBytes     *result)
{
  HeldNotification *notification;

  if (self->hold_time == 0)
    {
      log_dropped (self, 1, "for an unknown subscription id, since hold-time is 0");
      return;
    }

  if (self->held_notifications.length >= MAX_HELD_NOTIFICATIONS)
    {
      held_notification_free (g_queue_pop_head (&self->held_notifications));
      log_dropped (self, 1, "because too many notifications were held");
    }

  notification = g_new0 (HeldNotification, 1);
  notification->subscription_id = g_strdup (subscription_id);
  notification->result = g_bytes_ref (result);
  notification->deadline = g_get_monotonic_time () + (gint64) self->hold_time * 1000;
  g_queue_push_tail (&self->held_notifications, notification);

  if (self->hold_source == NULL)
    schedule_hold_timer (self);
}

/* Delivers, in arrival order, the held notifications for the id that a
 * reply has just assigned to @subscription.
 */
static void
release_held (RwsJsonrpc      *self,
              const char      *subscription_id,
              RwsSubscription *subscription)
{
  g_autoptr(GPtrArray) released = g_ptr_array_new_with_free_func ((GDestroyNotify) held_notification_free);
  guint generation = self->generation;
  GList *link = self->held_notifications.head;

  while (link != NULL)
    {
      GList *next = link->next;
      HeldNotification *notification = link->data;

      if (g_str_equal (notification->subscription_id, subscription_id))
        {
          g_ptr_array_add (released, notification);
          g_queue_delete_link (&self->held_notifications, link);
        }
      link = next;
    }

  if (released->len == 0)
    return;

  schedule_hold_timer (self);

  /* A message handler may end the connection, which makes the remaining
   * notifications stale.
   */
  for (guint i = 0; i < released->len && self->generation == generation; i++)
    {
      HeldNotification *notification = g_ptr_array_index (released, i);

      rws_protocol_deliver (RWS_PROTOCOL (self), subscription,
                            rws_subscription_get_topic (subscription),
                            notification->result, FALSE);
    }
}

static void
handle_subscribe_reply (RwsJsonrpc      *self,
                        RwsSubscription *subscription,
                        JsonObject      *reply)
{
  RwsProtocol *protocol = RWS_PROTOCOL (self);
  const char *topic = rws_subscription_get_topic (subscription);
  RwsSubscriptionState state = rws_subscription_get_state (subscription);
  JsonNode *error_node = json_object_get_member (reply, "error");
  g_autofree char *subscription_id = NULL;
  g_autoptr(GError) error = NULL;
  guint generation;

  if (error_node != NULL && !JSON_NODE_HOLDS_NULL (error_node))
    {
      JsonObject *error_object = JSON_NODE_HOLDS_OBJECT (error_node) ? json_node_get_object (error_node) : NULL;
      const char *message = NULL;
      g_autofree char *error_text = NULL;

      if (error_object != NULL)
        message = get_string_member (error_object, "message");
      if (message == NULL)
        message = error_text = rws_json_node_to_string (error_node);

      if (state != RWS_SUBSCRIPTION_PENDING && state != RWS_SUBSCRIPTION_ACTIVE)
        return;

      error = g_error_new (RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR,
                           _("The server rejected the subscription to “%s”: %s"),
                           topic, message);
      rws_protocol_reject_subscription (protocol, subscription, error);
      return;
    }

  subscription_id = rws_json_node_dup_scalar_text (json_object_get_member (reply, "result"));
  if (subscription_id == NULL)
    {
      if (state != RWS_SUBSCRIPTION_PENDING && state != RWS_SUBSCRIPTION_ACTIVE)
        return;

      error = g_error_new (RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR,
                           _("The reply to %s for “%s” has no subscription id in its result"),
                           self->subscribe_method, topic);
      rws_protocol_reject_subscription (protocol, subscription, error);
      return;
    }

  /* The server now has a subscription that nothing here wants, because the
   * local one ended or gave up, or because an earlier attempt on this
   * connection already has an id.  Ending it avoids duplicate notifications.
   */
  if ((state != RWS_SUBSCRIPTION_PENDING && state != RWS_SUBSCRIPTION_ACTIVE) ||
      g_hash_table_contains (self->ids_by_subscription, subscription))
    {
      const char *known_id = g_hash_table_lookup (self->ids_by_subscription, subscription);

      send_unsubscribe (self, subscription_id);
      if (known_id != NULL && state == RWS_SUBSCRIPTION_PENDING)
        rws_protocol_confirm_subscription (protocol, subscription, known_id);
      return;
    }

  g_hash_table_replace (self->subscriptions_by_id, g_strdup (subscription_id),
                        g_object_ref (subscription));
  g_hash_table_replace (self->ids_by_subscription, g_object_ref (subscription),
                        g_strdup (subscription_id));

  /* Confirming can emit `ready`, whose handlers may end the connection. */
  generation = self->generation;
  rws_protocol_confirm_subscription (protocol, subscription, subscription_id);
  if (self->generation == generation)
    release_held (self, subscription_id, subscription);
}

static void
handle_reply (RwsJsonrpc *self,
              JsonObject *reply)
{
  g_autofree char *key = rws_json_node_dup_scalar_text (json_object_get_member (reply, "id"));
  g_autofree char *stolen_key = NULL;
  g_autoptr(Request) request = NULL;

  if (key == NULL ||
      !g_hash_table_steal_extended (self->requests, key,
                                    (gpointer *) &stolen_key, (gpointer *) &request))
    {
      g_debug ("Ignoring a reply to unknown request id %s", key != NULL ? key : "(none)");
      return;
    }

  if (request->kind == REQUEST_SUBSCRIBE)
    handle_subscribe_reply (self, request->subscription, reply);
}

/* Returns whether the frame was a well-formed notification, which is then
 * delivered, held or dropped.
 */
static gboolean
handle_notification (RwsJsonrpc *self,
                     JsonObject *notification,
                     GBytes     *payload)
{
  JsonNode *params = json_object_get_member (notification, "params");
  g_autofree char *subscription_id = NULL;
  g_autoptr(GBytes) result = NULL;
  RwsSubscription *subscription;
  gsize length, start, end;
  const char *data = g_bytes_get_data (payload, &length);

  if (params == NULL || !JSON_NODE_HOLDS_OBJECT (params))
    return FALSE;

  subscription_id = rws_json_node_dup_scalar_text (json_object_get_member (json_node_get_object (params),
                                                                           "subscription"));
  if (subscription_id == NULL ||
      !rws_json_pointer_find_span (data, length, "/params/result", &start, &end))
    return FALSE;

  result = g_bytes_new_from_bytes (payload, start, end - start);

  subscription = g_hash_table_lookup (self->subscriptions_by_id, subscription_id);
  if (subscription != NULL)
    rws_protocol_deliver (RWS_PROTOCOL (self), subscription,
                          rws_subscription_get_topic (subscription), result, FALSE);
  else if (g_hash_table_contains (self->retired_ids, subscription_id))
    log_dropped (self, 1, "for an unsubscribed subscription id");
  else
    hold_notification (self, subscription_id, result);

  return TRUE;
}

static void
rws_jsonrpc_opened (RwsProtocol *protocol)
{
  rws_protocol_mark_ready (protocol);
}

static void
rws_jsonrpc_frame_received (RwsProtocol *protocol,
                            GBytes      *payload,
                            gboolean     binary)
{
  RwsJsonrpc *self = RWS_JSONRPC (protocol);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize length;
  const char *data = g_bytes_get_data (payload, &length);
  JsonNode *root = NULL;
  JsonObject *object;
  const char *method;

  if (!binary && length > 0 && length <= G_MAXSSIZE &&
      json_parser_load_from_data (parser, data, (gssize) length, NULL))
    root = json_parser_get_root (parser);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      rws_protocol_deliver (protocol, NULL, NULL, payload, binary);
      return;
    }

  object = json_node_get_object (root);
  method = get_string_member (object, "method");

  if (method != NULL)
    {
      if (g_strcmp0 (method, self->notification_method) == 0 &&
          handle_notification (self, object, payload))
        return;

      rws_protocol_deliver (protocol, NULL, NULL, payload, FALSE);
      return;
    }

  if (json_object_has_member (object, "id") &&
      (json_object_has_member (object, "result") || json_object_has_member (object, "error")))
    {
      handle_reply (self, object);
      return;
    }

  rws_protocol_deliver (protocol, NULL, NULL, payload, FALSE);
}

static void
rws_jsonrpc_subscribe (RwsProtocol     *protocol,
                       RwsSubscription *subscription)
{
  RwsJsonrpc *self = RWS_JSONRPC (protocol);
  g_autoptr(JsonArray) params = json_array_new ();
  JsonNode *extra = rws_subscription_get_params (subscription);

  json_array_add_string_element (params, rws_subscription_get_topic (subscription));

  if (extra != NULL && JSON_NODE_HOLDS_ARRAY (extra))
    {
      JsonArray *array = json_node_get_array (extra);

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (params, json_node_copy (json_array_get_element (array, i)));
    }
  else if (extra != NULL && !JSON_NODE_HOLDS_NULL (extra))
    {
      json_array_add_element (params, json_node_copy (extra));
    }

  send_request (self, REQUEST_SUBSCRIBE, subscription, self->subscribe_method, params);
}

static void
rws_jsonrpc_unsubscribe (RwsProtocol     *protocol,
                         RwsSubscription *subscription)
{
  RwsJsonrpc *self = RWS_JSONRPC (protocol);
  g_autofree char *subscription_id = NULL;
  gpointer stolen_subscription = NULL;

  if (!g_hash_table_steal_extended (self->ids_by_subscription, subscription,
                                    &stolen_subscription, (gpointer *) &subscription_id))
    return;

  g_object_unref (stolen_subscription);
  g_hash_table_remove (self->subscriptions_by_id, subscription_id);

  if (rws_protocol_is_connected (protocol))
    send_unsubscribe (self, subscription_id);
}

static GBytes *
rws_jsonrpc_publish (RwsProtocol  *protocol,
                     const char   *topic,
                     GBytes       *payload,
                     gboolean     *binary,
                     GError      **error)
{
  g_set_error (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
               _("Cannot publish to “%s”: the jsonrpc protocol does not support publishing"),
               topic);

  return NULL;
}

static void
clear_connection_state (RwsJsonrpc *self)
{
  HeldNotification *notification;
  guint dropped = 0;

  self->generation++;
  self->last_request_id = 0;
  g_hash_table_remove_all (self->requests);
  g_hash_table_remove_all (self->subscriptions_by_id);
  g_hash_table_remove_all (self->ids_by_subscription);
  g_hash_table_remove_all (self->retired_ids);

  while ((notification = g_queue_pop_head (&self->held_notifications)) != NULL)
    {
      held_notification_free (notification);
      dropped++;
    }
  log_dropped (self, dropped, "held when the connection ended");

  cancel_hold_timer (self);
}

static void
rws_jsonrpc_reset (RwsProtocol *protocol)
{
  clear_connection_state (RWS_JSONRPC (protocol));
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);

  return TRUE;
}

static void
rws_jsonrpc_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RwsJsonrpc *self = RWS_JSONRPC (object);

  switch (prop_id)
    {
    case PROP_SUBSCRIBE_METHOD:
      g_value_set_string (value, self->subscribe_method);
      break;
    case PROP_UNSUBSCRIBE_METHOD:
      g_value_set_string (value, self->unsubscribe_method);
      break;
    case PROP_NOTIFICATION_METHOD:
      g_value_set_string (value, self->notification_method);
      break;
    case PROP_HOLD_TIME:
      g_value_set_uint (value, self->hold_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_jsonrpc_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RwsJsonrpc *self = RWS_JSONRPC (object);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_SUBSCRIBE_METHOD:
      changed = set_string (&self->subscribe_method,
                            g_value_get_string (value) != NULL ? g_value_get_string (value) : DEFAULT_SUBSCRIBE_METHOD);
      break;
    case PROP_UNSUBSCRIBE_METHOD:
      changed = set_string (&self->unsubscribe_method,
                            g_value_get_string (value) != NULL ? g_value_get_string (value) : DEFAULT_UNSUBSCRIBE_METHOD);
      break;
    case PROP_NOTIFICATION_METHOD:
      changed = set_string (&self->notification_method,
                            g_value_get_string (value) != NULL ? g_value_get_string (value) : DEFAULT_NOTIFICATION_METHOD);
      break;
    case PROP_HOLD_TIME:
      changed = self->hold_time != g_value_get_uint (value);
      self->hold_time = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
rws_jsonrpc_dispose (GObject *object)
{
  clear_connection_state (RWS_JSONRPC (object));

  G_OBJECT_CLASS (rws_jsonrpc_parent_class)->dispose (object);
}

static void
rws_jsonrpc_finalize (GObject *object)
{
  RwsJsonrpc *self = RWS_JSONRPC (object);

  g_free (self->subscribe_method);
  g_free (self->unsubscribe_method);
  g_free (self->notification_method);
  g_hash_table_unref (self->requests);
  g_hash_table_unref (self->subscriptions_by_id);
  g_hash_table_unref (self->ids_by_subscription);
  g_hash_table_unref (self->retired_ids);

  G_OBJECT_CLASS (rws_jsonrpc_parent_class)->finalize (object);
}

static void
rws_jsonrpc_class_init (RwsJsonrpcClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RwsProtocolClass *protocol_class = RWS_PROTOCOL_CLASS (klass);

  object_class->get_property = rws_jsonrpc_get_property;
  object_class->set_property = rws_jsonrpc_set_property;
  object_class->dispose = rws_jsonrpc_dispose;
  object_class->finalize = rws_jsonrpc_finalize;

  protocol_class->opened = rws_jsonrpc_opened;
  protocol_class->frame_received = rws_jsonrpc_frame_received;
  protocol_class->subscribe = rws_jsonrpc_subscribe;
  protocol_class->unsubscribe = rws_jsonrpc_unsubscribe;
  protocol_class->publish = rws_jsonrpc_publish;
  protocol_class->reset = rws_jsonrpc_reset;

  /**
   * RwsJsonrpc:subscribe-method:
   *
   * The method of subscribe requests.  Setting %NULL restores the default.
   *
   * Since: 0.1
   */
  properties[PROP_SUBSCRIBE_METHOD] =
    g_param_spec_string ("subscribe-method", NULL, NULL, DEFAULT_SUBSCRIBE_METHOD,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * RwsJsonrpc:unsubscribe-method:
   *
   * The method of unsubscribe requests, whose params are the subscription
   * id.  Setting %NULL restores the default.
   *
   * Since: 0.1
   */
  properties[PROP_UNSUBSCRIBE_METHOD] =
    g_param_spec_string ("unsubscribe-method", NULL, NULL, DEFAULT_UNSUBSCRIBE_METHOD,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * RwsJsonrpc:notification-method:
   *
   * The method of the notifications that carry subscription data.  Setting
   * %NULL restores the default.
   *
   * Since: 0.1
   */
  properties[PROP_NOTIFICATION_METHOD] =
    g_param_spec_string ("notification-method", NULL, NULL, DEFAULT_NOTIFICATION_METHOD,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * RwsJsonrpc:hold-time:
   *
   * How long a notification for a subscription id that no reply has named
   * yet waits for that reply, in milliseconds.  Notifications still unknown
   * after that are dropped and counted in a debug message.
   *
   * Since: 0.1
   */
  properties[PROP_HOLD_TIME] =
    g_param_spec_uint ("hold-time", NULL, NULL, 0, G_MAXUINT, DEFAULT_HOLD_TIME_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rws_jsonrpc_init (RwsJsonrpc *self)
{
  self->subscribe_method = g_strdup (DEFAULT_SUBSCRIBE_METHOD);
  self->unsubscribe_method = g_strdup (DEFAULT_UNSUBSCRIBE_METHOD);
  self->notification_method = g_strdup (DEFAULT_NOTIFICATION_METHOD);
  self->hold_time = DEFAULT_HOLD_TIME_MS;

  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) request_free);
  self->subscriptions_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     g_object_unref);
  self->ids_by_subscription = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->retired_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->held_notifications);

  rws_protocol_set_ack_timeout (RWS_PROTOCOL (self), DEFAULT_ACK_TIMEOUT_MS);
}

G_MODULE_EXPORT void rws_plugin_register (RwsRegistry *registry);

void
rws_plugin_register (RwsRegistry *registry)
{
  g_autoptr(GError) error = NULL;

  if (!rws_registry_register_protocol (registry, "jsonrpc", RWS_TYPE_JSONRPC,
                                       _("JSON-RPC 2.0 subscriptions (eth_subscribe style), with server ids remapped after every reconnect"),
                                       &error))
    g_warning ("Failed to register the jsonrpc protocol: %s", error->message);
}
