/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rws-i18n.h"

#include "rws-client-private.h"
#include "rws-protocol-private.h"

/**
 * RwsProtocol:
 *
 * The base class of protocol plugins: the messages exchanged on a
 * WebSocket after the handshake.
 *
 * A protocol parses the envelope of each incoming message and hands the
 * payload to [method@Rws.Protocol.deliver], which decodes it with the
 * client's codec. It sends its own control frames (handshake, subscribe,
 * ping) with [method@Rws.Protocol.send_frame]. Applications send their
 * messages through the client, which queues them while offline.
 *
 * A protocol object serves one [class@Rws.Client]. Before each connection
 * the client calls `reset`, so no state of an old connection leaks into
 * the next one. Every virtual function runs on the client's main context.
 *
 * Subclasses written in Python or JavaScript override the `do_*` virtual
 * functions and are registered with
 * [method@Rws.Registry.register_protocol].
 *
 * Since: 0.1
 */

typedef struct
{
  RwsClient *client;  /* not referenced: the client owns the protocol */
  guint ack_timeout;
  guint heartbeat_interval;
} RwsProtocolPrivate;

enum {
  PROP_0,
  PROP_ACK_TIMEOUT,
  PROP_HEARTBEAT_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (RwsProtocol, rws_protocol, G_TYPE_OBJECT)

static char **
rws_protocol_real_get_subprotocols (RwsProtocol *self)
{
  return NULL;
}

static void
rws_protocol_real_opened (RwsProtocol *self)
{
  rws_protocol_mark_ready (self);
}

static void
rws_protocol_real_frame_received (RwsProtocol *self,
                                  GBytes      *payload,
                                  gboolean     binary)
{
  rws_protocol_deliver (self, NULL, NULL, payload, binary);
}

static void
rws_protocol_real_subscribe (RwsProtocol     *self,
                             RwsSubscription *subscription)
{
}

static void
rws_protocol_real_unsubscribe (RwsProtocol     *self,
                               RwsSubscription *subscription)
{
}

static GBytes *
rws_protocol_real_publish (RwsProtocol  *self,
                           const char   *topic,
                           GBytes       *payload,
                           gboolean     *binary,
                           GError      **error)
{
  g_set_error (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
               /* Translators: the value is the name of a GType such as RwsRawProtocol. */
               _("The protocol %s has no topics to publish to; send the message with rws_client_send_text() instead"),
               G_OBJECT_TYPE_NAME (self));
  return NULL;
}

static void
rws_protocol_real_heartbeat (RwsProtocol *self)
{
}

static void
rws_protocol_real_reset (RwsProtocol *self)
{
}

static gboolean
rws_protocol_real_close_code_is_fatal (RwsProtocol *self,
                                       guint        code)
{
  return FALSE;
}

static void
rws_protocol_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RwsProtocol *self = RWS_PROTOCOL (object);

  switch (prop_id)
    {
    case PROP_ACK_TIMEOUT:
      g_value_set_uint (value, rws_protocol_get_ack_timeout (self));
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, rws_protocol_get_heartbeat_interval (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_protocol_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RwsProtocol *self = RWS_PROTOCOL (object);

  switch (prop_id)
    {
    case PROP_ACK_TIMEOUT:
      rws_protocol_set_ack_timeout (self, g_value_get_uint (value));
      break;
    case PROP_HEARTBEAT_INTERVAL:
      rws_protocol_set_heartbeat_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_protocol_class_init (RwsProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  rws_i18n_init ();

  object_class->get_property = rws_protocol_get_property;
  object_class->set_property = rws_protocol_set_property;

  klass->get_subprotocols = rws_protocol_real_get_subprotocols;
  klass->opened = rws_protocol_real_opened;
  klass->frame_received = rws_protocol_real_frame_received;
  klass->subscribe = rws_protocol_real_subscribe;
  klass->unsubscribe = rws_protocol_real_unsubscribe;
  klass->publish = rws_protocol_real_publish;
  klass->heartbeat = rws_protocol_real_heartbeat;
  klass->reset = rws_protocol_real_reset;
  klass->close_code_is_fatal = rws_protocol_real_close_code_is_fatal;

  /**
   * RwsProtocol:ack-timeout: (getter get_ack_timeout) (setter set_ack_timeout)
   *
   * How long the client waits for the server to confirm a subscription,
   * in milliseconds. 0 means the protocol has no confirmations: a
   * subscription is active as soon as its frame is sent.
   *
   * Since: 0.1
   */
  properties[PROP_ACK_TIMEOUT] =
    g_param_spec_uint ("ack-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * RwsProtocol:heartbeat-interval: (getter get_heartbeat_interval) (setter set_heartbeat_interval)
   *
   * The interval of application-level pings in milliseconds, or 0 for
   * none. The client calls the `heartbeat` virtual function at this
   * interval while it is connected.
   *
   * Since: 0.1
   */
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rws_protocol_init (RwsProtocol *self)
{
}

/* Internal: binding to a client. */

void
rws_protocol_attach (RwsProtocol *self,
                     RwsClient   *client)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  priv->client = client;
}

RwsClient *
rws_protocol_get_client (RwsProtocol *self)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  return priv->client;
}

char **
rws_protocol_dup_subprotocols (RwsProtocol *self)
{
  return RWS_PROTOCOL_GET_CLASS (self)->get_subprotocols (self);
}

void
rws_protocol_opened (RwsProtocol *self)
{
  RWS_PROTOCOL_GET_CLASS (self)->opened (self);
}

void
rws_protocol_frame_received (RwsProtocol *self,
                             GBytes      *payload,
                             gboolean     binary)
{
  RWS_PROTOCOL_GET_CLASS (self)->frame_received (self, payload, binary);
}

void
rws_protocol_subscribe (RwsProtocol     *self,
                        RwsSubscription *subscription)
{
  RWS_PROTOCOL_GET_CLASS (self)->subscribe (self, subscription);
}

void
rws_protocol_unsubscribe (RwsProtocol     *self,
                          RwsSubscription *subscription)
{
  RWS_PROTOCOL_GET_CLASS (self)->unsubscribe (self, subscription);
}

GBytes *
rws_protocol_publish (RwsProtocol  *self,
                      const char   *topic,
                      GBytes       *payload,
                      gboolean     *binary,
                      GError      **error)
{
  GBytes *frame;

  *binary = FALSE;
  frame = RWS_PROTOCOL_GET_CLASS (self)->publish (self, topic, payload, binary, error);
  g_assert (frame != NULL || error == NULL || *error != NULL);

  return frame;
}

void
rws_protocol_heartbeat (RwsProtocol *self)
{
  RWS_PROTOCOL_GET_CLASS (self)->heartbeat (self);
}

void
rws_protocol_reset (RwsProtocol *self)
{
  RWS_PROTOCOL_GET_CLASS (self)->reset (self);
}

gboolean
rws_protocol_close_code_is_fatal (RwsProtocol *self,
                                  guint        code)
{
  return RWS_PROTOCOL_GET_CLASS (self)->close_code_is_fatal (self, code);
}

/* Public API for plugin authors. */

/**
 * rws_protocol_send_frame:
 * @self: a protocol
 * @payload: the frame payload
 * @binary: whether to send a binary frame
 *
 * Sends a control frame of the protocol at once, ahead of the client's
 * queue. Frames can only be sent while the WebSocket is open.
 *
 * Returns: `TRUE` when the frame was handed to the connection, `FALSE`
 *   when no connection is open
 *
 * Since: 0.1
 */
gboolean
rws_protocol_send_frame (RwsProtocol *self,
                         GBytes      *payload,
                         gboolean     binary)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  if (priv->client == NULL)
    return FALSE;

  return rws_client_protocol_send_frame (priv->client, payload, binary);
}

/**
 * rws_protocol_send_text:
 * @self: a protocol
 * @text: a UTF-8 string
 *
 * Sends a text control frame, like [method@Rws.Protocol.send_frame].
 *
 * Returns: `TRUE` when the frame was handed to the connection
 *
 * Since: 0.1
 */
gboolean
rws_protocol_send_text (RwsProtocol *self,
                        const char  *text)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  bytes = g_bytes_new (text, strlen (text));

  return rws_protocol_send_frame (self, bytes, FALSE);
}

/**
 * rws_protocol_mark_ready:
 * @self: a protocol
 *
 * Tells the client that the protocol handshake is done. The client then
 * restores every subscription and, once they are confirmed, becomes
 * %RWS_STATE_READY.
 *
 * Since: 0.1
 */
void
rws_protocol_mark_ready (RwsProtocol *self)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));

  if (priv->client != NULL)
    rws_client_protocol_ready (priv->client);
}

/**
 * rws_protocol_deliver:
 * @self: a protocol
 * @subscription: (nullable): the subscription the message belongs to
 * @topic: (nullable): the topic of the message, when the envelope names one
 * @payload: the payload inside the envelope
 * @binary: whether @payload is binary
 *
 * Hands an incoming payload to the client, which decodes it with its
 * codec and emits it on @subscription, if any, and on the client.
 *
 * Since: 0.1
 */
void
rws_protocol_deliver (RwsProtocol     *self,
                      RwsSubscription *subscription,
                      const char      *topic,
                      GBytes          *payload,
                      gboolean         binary)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));
  g_return_if_fail (subscription == NULL || RWS_IS_SUBSCRIPTION (subscription));
  g_return_if_fail (payload != NULL);

  if (priv->client != NULL)
    rws_client_protocol_deliver (priv->client, subscription, topic, payload, binary);
}

/**
 * rws_protocol_fail:
 * @self: a protocol
 * @error: what went wrong
 * @fatal: whether reconnecting cannot help
 *
 * Ends the connection because of a protocol error. The client reconnects
 * through its backoff, or becomes %RWS_STATE_FAILED when @fatal is set.
 *
 * Since: 0.1
 */
void
rws_protocol_fail (RwsProtocol  *self,
                   const GError *error,
                   gboolean      fatal)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));
  g_return_if_fail (error != NULL);

  if (priv->client != NULL)
    rws_client_protocol_fail (priv->client, error, fatal);
}

/**
 * rws_protocol_confirm_subscription:
 * @self: a protocol
 * @subscription: a subscription of the client
 * @id: (nullable): the identifier the server gave the subscription
 *
 * Marks @subscription as confirmed by the server. The identifier replaces
 * the one of any earlier connection.
 *
 * Since: 0.1
 */
void
rws_protocol_confirm_subscription (RwsProtocol     *self,
                                   RwsSubscription *subscription,
                                   const char      *id)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));
  g_return_if_fail (RWS_IS_SUBSCRIPTION (subscription));

  if (priv->client != NULL)
    rws_client_subscription_confirmed (priv->client, subscription, id);
}

/**
 * rws_protocol_reject_subscription:
 * @self: a protocol
 * @subscription: a subscription of the client
 * @error: the reason the server gave
 *
 * Marks @subscription as rejected by the server: it becomes
 * %RWS_SUBSCRIPTION_FAILED at once and is not retried.
 *
 * Since: 0.1
 */
void
rws_protocol_reject_subscription (RwsProtocol     *self,
                                  RwsSubscription *subscription,
                                  const GError    *error)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));
  g_return_if_fail (RWS_IS_SUBSCRIPTION (subscription));
  g_return_if_fail (error != NULL);

  if (priv->client != NULL)
    rws_client_subscription_rejected (priv->client, subscription, error);
}

/**
 * rws_protocol_get_subscriptions:
 * @self: a protocol
 *
 * Gets the subscriptions of the client that uses the protocol.
 *
 * Returns: (transfer none): a list of [class@Rws.Subscription]
 *
 * Since: 0.1
 */
GListModel *
rws_protocol_get_subscriptions (RwsProtocol *self)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), NULL);

  if (priv->client == NULL)
    return rws_client_empty_subscriptions ();

  return rws_client_get_subscriptions (priv->client);
}

/**
 * rws_protocol_find_subscription:
 * @self: a protocol
 * @topic: a topic
 *
 * Finds the client's subscription to @topic.
 *
 * Returns: (transfer none) (nullable): the subscription, or `NULL`
 *
 * Since: 0.1
 */
RwsSubscription *
rws_protocol_find_subscription (RwsProtocol *self,
                                const char  *topic)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  if (priv->client == NULL)
    return NULL;

  return rws_client_find_subscription (priv->client, topic);
}

/**
 * rws_protocol_find_subscription_by_id:
 * @self: a protocol
 * @id: an identifier the server gave on the current connection
 *
 * Finds the subscription that the server identifies as @id.
 *
 * Returns: (transfer none) (nullable): the subscription, or `NULL`
 *
 * Since: 0.1
 */
RwsSubscription *
rws_protocol_find_subscription_by_id (RwsProtocol *self,
                                      const char  *id)
{
  GListModel *subscriptions;
  guint n;

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  subscriptions = rws_protocol_get_subscriptions (self);
  n = g_list_model_get_n_items (subscriptions);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RwsSubscription) subscription = g_list_model_get_item (subscriptions, i);

      if (g_strcmp0 (rws_subscription_get_id (subscription), id) == 0)
        return subscription;
    }

  return NULL;
}

/**
 * rws_protocol_is_connected:
 * @self: a protocol
 *
 * Tells whether the WebSocket of the client is open, so frames can be
 * sent.
 *
 * Returns: `TRUE` while a connection is open
 *
 * Since: 0.1
 */
gboolean
rws_protocol_is_connected (RwsProtocol *self)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), FALSE);

  return priv->client != NULL && rws_client_protocol_is_connected (priv->client);
}

/**
 * rws_protocol_get_ack_timeout: (get-property ack-timeout)
 * @self: a protocol
 *
 * Gets [property@Rws.Protocol:ack-timeout].
 *
 * Returns: the time in milliseconds, or 0 when subscriptions are not confirmed
 *
 * Since: 0.1
 */
guint
rws_protocol_get_ack_timeout (RwsProtocol *self)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), 0);

  return priv->ack_timeout;
}

/**
 * rws_protocol_set_ack_timeout: (set-property ack-timeout)
 * @self: a protocol
 * @ack_timeout: the time in milliseconds, or 0
 *
 * Sets [property@Rws.Protocol:ack-timeout].
 *
 * Since: 0.1
 */
void
rws_protocol_set_ack_timeout (RwsProtocol *self,
                              guint        ack_timeout)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));

  if (priv->ack_timeout == ack_timeout)
    return;

  priv->ack_timeout = ack_timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACK_TIMEOUT]);
}

/**
 * rws_protocol_get_heartbeat_interval: (get-property heartbeat-interval)
 * @self: a protocol
 *
 * Gets [property@Rws.Protocol:heartbeat-interval].
 *
 * Returns: the interval in milliseconds, or 0
 *
 * Since: 0.1
 */
guint
rws_protocol_get_heartbeat_interval (RwsProtocol *self)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_val_if_fail (RWS_IS_PROTOCOL (self), 0);

  return priv->heartbeat_interval;
}

/**
 * rws_protocol_set_heartbeat_interval: (set-property heartbeat-interval)
 * @self: a protocol
 * @heartbeat_interval: the interval in milliseconds, or 0
 *
 * Sets [property@Rws.Protocol:heartbeat-interval]. A change applies from
 * the next connection.
 *
 * Since: 0.1
 */
void
rws_protocol_set_heartbeat_interval (RwsProtocol *self,
                                     guint        heartbeat_interval)
{
  RwsProtocolPrivate *priv = rws_protocol_get_instance_private (self);

  g_return_if_fail (RWS_IS_PROTOCOL (self));

  if (priv->heartbeat_interval == heartbeat_interval)
    return;

  priv->heartbeat_interval = heartbeat_interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEARTBEAT_INTERVAL]);
}

/* The built-in raw protocol: every frame is a message, there is no
 * handshake, and a subscription only records interest. */

struct _RwsRawProtocol
{
  RwsProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (RwsRawProtocol, rws_raw_protocol, RWS_TYPE_PROTOCOL)

static void
rws_raw_protocol_class_init (RwsRawProtocolClass *klass)
{
}

static void
rws_raw_protocol_init (RwsRawProtocol *self)
{
}
