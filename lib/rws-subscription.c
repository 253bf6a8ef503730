/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws-enum-types.h"
#include "rws-subscription-private.h"

/**
 * RwsSubscription:
 *
 * Interest in a topic, kept by a [class@Rws.Client] across reconnects.
 *
 * [method@Rws.Client.subscribe] returns the subscription of a topic,
 * the same object for the same topic. The client sends it after every
 * connection, once, before it becomes %RWS_STATE_READY, and emits each
 * message the protocol routes to the topic on
 * [signal@Rws.Subscription::message].
 *
 * Since: 0.1
 */
struct _RwsSubscription
{
  GObject parent_instance;

  char *topic;
  JsonNode *params;
  RwsSubscriptionState state;
  char *id;
  guint attempts;
};

enum {
  PROP_0,
  PROP_TOPIC,
  PROP_PARAMS,
  PROP_STATE,
  PROP_ID,
  PROP_ATTEMPTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RwsSubscription, rws_subscription, G_TYPE_OBJECT)

static void
rws_subscription_finalize (GObject *object)
{
  RwsSubscription *self = RWS_SUBSCRIPTION (object);

  g_clear_pointer (&self->topic, g_free);
  g_clear_pointer (&self->params, json_node_unref);
  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (rws_subscription_parent_class)->finalize (object);
}

static void
rws_subscription_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RwsSubscription *self = RWS_SUBSCRIPTION (object);

  switch (prop_id)
    {
    case PROP_TOPIC:
      g_value_set_string (value, self->topic);
      break;
    case PROP_PARAMS:
      g_value_set_boxed (value, self->params);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_subscription_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RwsSubscription *self = RWS_SUBSCRIPTION (object);

  switch (prop_id)
    {
    case PROP_TOPIC:
      self->topic = g_value_dup_string (value);
      break;
    case PROP_PARAMS:
      self->params = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_subscription_class_init (RwsSubscriptionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags read_only = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = rws_subscription_finalize;
  object_class->get_property = rws_subscription_get_property;
  object_class->set_property = rws_subscription_set_property;

  /**
   * RwsSubscription:topic: (getter get_topic)
   *
   * The topic, as the protocol names it.
   *
   * Since: 0.1
   */
  properties[PROP_TOPIC] =
    g_param_spec_string ("topic", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RwsSubscription:params: (getter get_params)
   *
   * Extra parameters the protocol sends with the subscription, or `NULL`.
   *
   * Since: 0.1
   */
  properties[PROP_PARAMS] =
    g_param_spec_boxed ("params", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * RwsSubscription:state: (getter get_state)
   *
   * Whether the subscription is pending, active, failed or cancelled.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RWS_TYPE_SUBSCRIPTION_STATE,
                       RWS_SUBSCRIPTION_PENDING, read_only);

  /**
   * RwsSubscription:id: (getter get_id)
   *
   * The identifier the server gave the subscription on the current
   * connection, or `NULL`. It changes after a reconnect when the server
   * hands out new identifiers.
   *
   * Since: 0.1
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, read_only);

  /**
   * RwsSubscription:attempts: (getter get_attempts)
   *
   * How many times the subscription was sent on the current connection.
   *
   * Since: 0.1
   */
  properties[PROP_ATTEMPTS] =
    g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0, read_only);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RwsSubscription::message:
   * @self: the subscription
   * @message: the decoded message
   *
   * Emitted for each message the protocol routes to this subscription,
   * before the client's [signal@Rws.Client::message].
   *
   * Since: 0.1
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, RWS_TYPE_MESSAGE);

  /**
   * RwsSubscription::error:
   * @self: the subscription
   * @error: what went wrong
   *
   * Emitted when the server rejects the subscription or it goes
   * unconfirmed.
   *
   * Since: 0.1
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rws_subscription_init (RwsSubscription *self)
{
  self->state = RWS_SUBSCRIPTION_PENDING;
}

RwsSubscription *
rws_subscription_new (const char *topic,
                      JsonNode   *params)
{
  return g_object_new (RWS_TYPE_SUBSCRIPTION, "topic", topic, "params", params, NULL);
}

void
rws_subscription_set_state (RwsSubscription      *self,
                            RwsSubscriptionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
rws_subscription_set_id (RwsSubscription *self,
                         const char      *id)
{
  if (g_strcmp0 (self->id, id) == 0)
    return;

  g_free (self->id);
  self->id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

void
rws_subscription_set_attempts (RwsSubscription *self,
                               guint            attempts)
{
  if (self->attempts == attempts)
    return;

  self->attempts = attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPTS]);
}

void
rws_subscription_emit_message (RwsSubscription *self,
                               RwsMessage      *message)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
}

void
rws_subscription_emit_error (RwsSubscription *self,
                             const GError    *error)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/**
 * rws_subscription_get_topic: (get-property topic)
 * @self: a subscription
 *
 * Gets the topic.
 *
 * Returns: the topic
 *
 * Since: 0.1
 */
const char *
rws_subscription_get_topic (RwsSubscription *self)
{
  g_return_val_if_fail (RWS_IS_SUBSCRIPTION (self), NULL);

  return self->topic;
}

/**
 * rws_subscription_get_params: (get-property params)
 * @self: a subscription
 *
 * Gets the extra parameters.
 *
 * Returns: (transfer none) (nullable): the parameters, or `NULL`
 *
 * Since: 0.1
 */
JsonNode *
rws_subscription_get_params (RwsSubscription *self)
{
  g_return_val_if_fail (RWS_IS_SUBSCRIPTION (self), NULL);

  return self->params;
}

/**
 * rws_subscription_get_state: (get-property state)
 * @self: a subscription
 *
 * Gets the state.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
RwsSubscriptionState
rws_subscription_get_state (RwsSubscription *self)
{
  g_return_val_if_fail (RWS_IS_SUBSCRIPTION (self), RWS_SUBSCRIPTION_FAILED);

  return self->state;
}

/**
 * rws_subscription_get_id: (get-property id)
 * @self: a subscription
 *
 * Gets the identifier the server gave on the current connection.
 *
 * Returns: (nullable): the identifier, or `NULL`
 *
 * Since: 0.1
 */
const char *
rws_subscription_get_id (RwsSubscription *self)
{
  g_return_val_if_fail (RWS_IS_SUBSCRIPTION (self), NULL);

  return self->id;
}

/**
 * rws_subscription_get_attempts: (get-property attempts)
 * @self: a subscription
 *
 * Gets how many times the subscription was sent on the current connection.
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint
rws_subscription_get_attempts (RwsSubscription *self)
{
  g_return_val_if_fail (RWS_IS_SUBSCRIPTION (self), 0);

  return self->attempts;
}
