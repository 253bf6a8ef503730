/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Plugins and subscriptions of RwsClient.
 *
 * After the WebSocket opens, the protocol runs its handshake and calls
 * rws_protocol_mark_ready(). The client then restores every subscription
 * once: it calls the protocol to send each, and where the protocol confirms
 * subscriptions (ack-timeout > 0) it waits for the confirmations. A subscription
 * without a confirmation within ack-timeout is sent again after a backoff
 * delay, until subscribe-attempts frames were sent in all; then it is
 * FAILED and the client carries on. The client becomes READY when every
 * subscription is ACTIVE or FAILED.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rws-client-private.h"
#include "rws-message-private.h"
#include "rws-protocol-private.h"
#include "rws-registry.h"
#include "rws-subscription-private.h"

/* The per-connection bookkeeping of one subscription. */
typedef struct
{
  RwsClient *client;
  RwsSubscription *subscription;
  RwsBackoff *backoff;
  guint ack_source;
  guint retry_source;
  gboolean rejected;  /* the server refused it: not restored */
} RwsSubscriptionSlot;

/* Defined in rws-client.c. */
extern guint rws_client_signals[];

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

static void
slot_stop (RwsSubscriptionSlot *slot)
{
  g_clear_handle_id (&slot->ack_source, g_source_remove);
  g_clear_handle_id (&slot->retry_source, g_source_remove);
}

static void
slot_free (RwsSubscriptionSlot *slot)
{
  slot_stop (slot);
  g_clear_pointer (&slot->backoff, rws_backoff_free);
  g_free (slot);
}

void
rws_client_subscriptions_init (RwsClient *self)
{
  self->subscriptions = g_list_store_new (RWS_TYPE_SUBSCRIPTION);
  self->subscriptions_by_topic = g_hash_table_new (g_str_hash, g_str_equal);
  self->slots = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) slot_free);
}

void
rws_client_subscriptions_free (RwsClient *self)
{
  g_clear_handle_id (&self->protocol_handshake_source, g_source_remove);
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
  g_clear_pointer (&self->slots, g_hash_table_unref);
  g_clear_pointer (&self->subscriptions_by_topic, g_hash_table_unref);
  g_clear_object (&self->subscriptions);

  if (self->protocol_instance != NULL)
    rws_protocol_attach (self->protocol_instance, NULL);
  g_clear_object (&self->protocol_instance);
  g_clear_pointer (&self->protocol_instance_name, g_free);
  g_clear_object (&self->codec_instance);
  g_clear_pointer (&self->codec_instance_name, g_free);
}

GListModel *
rws_client_empty_subscriptions (void)
{
  static GListStore *empty;

  if (g_once_init_enter (&empty))
    g_once_init_leave (&empty, g_list_store_new (RWS_TYPE_SUBSCRIPTION));

  return G_LIST_MODEL (empty);
}

/* Plugins. */

/**
 * rws_client_get_protocol_instance:
 * @self: a client
 * @error: return location for an error
 *
 * Gets the object of the protocol plugin named by
 * [property@Rws.Client:protocol], creating it from the default
 * [class@Rws.Registry] on first use, so its properties can be set before
 * the client starts.
 *
 * Returns: (transfer none) (nullable): the protocol, or `NULL` with
 *   %RWS_ERROR_PLUGIN_NOT_FOUND or %RWS_ERROR_PLUGIN_FAILED
 *
 * Since: 0.1
 */
RwsProtocol *
rws_client_get_protocol_instance (RwsClient  *self,
                                  GError    **error)
{
  RwsProtocol *protocol;

  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  if (self->protocol_instance != NULL &&
      g_strcmp0 (self->protocol_instance_name, self->protocol) == 0)
    return self->protocol_instance;

  protocol = rws_registry_create_protocol (rws_registry_get_default (), self->protocol, error);
  if (protocol == NULL)
    return NULL;

  if (self->protocol_instance != NULL)
    rws_protocol_attach (self->protocol_instance, NULL);
  g_set_object (&self->protocol_instance, protocol);
  g_object_unref (protocol);
  g_free (self->protocol_instance_name);
  self->protocol_instance_name = g_strdup (self->protocol);
  rws_protocol_attach (self->protocol_instance, self);

  return self->protocol_instance;
}

/**
 * rws_client_get_codec_instance:
 * @self: a client
 * @error: return location for an error
 *
 * Gets the object of the codec plugin named by
 * [property@Rws.Client:codec], creating it on first use like
 * [method@Rws.Client.get_protocol_instance].
 *
 * Returns: (transfer none) (nullable): the codec, or `NULL` with @error set
 *
 * Since: 0.1
 */
RwsCodec *
rws_client_get_codec_instance (RwsClient  *self,
                               GError    **error)
{
  RwsCodec *codec;

  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  if (self->codec_instance != NULL &&
      g_strcmp0 (self->codec_instance_name, self->codec) == 0)
    return self->codec_instance;

  codec = rws_registry_create_codec (rws_registry_get_default (), self->codec, error);
  if (codec == NULL)
    return NULL;

  g_set_object (&self->codec_instance, codec);
  g_object_unref (codec);
  g_free (self->codec_instance_name);
  self->codec_instance_name = g_strdup (self->codec);

  return self->codec_instance;
}

gboolean
rws_client_ensure_plugins (RwsClient  *self,
                           GError    **error)
{
  return rws_client_get_protocol_instance (self, error) != NULL &&
         rws_client_get_codec_instance (self, error) != NULL;
}

/* The application's subprotocols first, then the protocol's own. */
char **
rws_client_dup_subprotocols (RwsClient *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_auto(GStrv) own = NULL;
  char **result;

  if (self->subprotocols != NULL)
    g_strv_builder_addv (builder, (const char **) self->subprotocols);

  if (self->protocol_instance != NULL)
    own = rws_protocol_dup_subprotocols (self->protocol_instance);
  if (own != NULL)
    for (guint i = 0; own[i] != NULL; i++)
      if (self->subprotocols == NULL || !g_strv_contains ((const char * const *) self->subprotocols, own[i]))
        g_strv_builder_add (builder, own[i]);

  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  if (result[0] == NULL)
    g_clear_pointer (&result, g_strfreev);

  return result;
}

/* Connection events from the state machine. */

static gboolean
heartbeat_tick (gpointer user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = g_object_ref (self);

  if (self->protocol_instance != NULL && rws_client_protocol_is_connected (self))
    rws_protocol_heartbeat (self->protocol_instance);

  return G_SOURCE_CONTINUE;
}

static gboolean
protocol_handshake_timeout (gpointer user_data)
{
  RwsClient *self = user_data;
  g_autoptr(RwsClient) hold = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  self->protocol_handshake_source = 0;
  error = g_error_new (RWS_ERROR, RWS_ERROR_HANDSHAKE_TIMEOUT,
                       /* Translators: the first value is a protocol name, the second a number of milliseconds. */
                       _("The %s protocol handshake did not finish within %u ms"),
                       self->protocol, self->handshake_timeout);
  rws_client_fail_connection (self, error, FALSE);

  return G_SOURCE_REMOVE;
}

/* Called when the WebSocket is open: each new connection starts from a
 * clean protocol state. */
void
rws_client_connection_started (RwsClient *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->subscriptions));
  guint interval;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RwsSubscription) subscription = g_list_model_get_item (G_LIST_MODEL (self->subscriptions), i);

      rws_subscription_set_id (subscription, NULL);
      rws_subscription_set_attempts (subscription, 0);
    }

  self->restoring = FALSE;
  rws_protocol_reset (self->protocol_instance);

  if (self->handshake_timeout > 0)
    self->protocol_handshake_source = g_timeout_add_full (G_PRIORITY_DEFAULT, self->handshake_timeout,
                                                          protocol_handshake_timeout, self, NULL);

  interval = rws_protocol_get_heartbeat_interval (self->protocol_instance);
  if (interval > 0)
    self->heartbeat_source = g_timeout_add_full (G_PRIORITY_DEFAULT, interval, heartbeat_tick, self, NULL);
}

/* Called when the connection ended: subscriptions wait for the next one. */
void
rws_client_connection_ended (RwsClient *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->subscriptions));

  g_clear_handle_id (&self->protocol_handshake_source, g_source_remove);
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
  self->restoring = FALSE;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    slot_stop (value);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RwsSubscription) subscription = g_list_model_get_item (G_LIST_MODEL (self->subscriptions), i);
      RwsSubscriptionSlot *slot = g_hash_table_lookup (self->slots, subscription);

      if (!slot->rejected && rws_subscription_get_state (subscription) != RWS_SUBSCRIPTION_CANCELLED)
        rws_subscription_set_state (subscription, RWS_SUBSCRIPTION_PENDING);
    }
}

gboolean
rws_client_protocol_is_connected (RwsClient *self)
{
  return self->transport != NULL && rws_transport_is_open (self->transport) &&
         (self->state == RWS_STATE_OPEN || self->state == RWS_STATE_READY);
}

gboolean
rws_client_protocol_close_code_is_fatal (RwsClient *self,
                                         guint      code)
{
  return self->protocol_instance != NULL &&
         rws_protocol_close_code_is_fatal (self->protocol_instance, code);
}

/* Control frames of the protocol skip the queue. They are not counted as
 * messages, so the queue's counters keep adding up. */
gboolean
rws_client_protocol_send_frame (RwsClient *self,
                                GBytes    *payload,
                                gboolean   binary)
{
  if (!rws_client_protocol_is_connected (self))
    return FALSE;

  rws_transport_send (self->transport, binary, payload);
  self->bytes_out += g_bytes_get_size (payload);

  return TRUE;
}

void
rws_client_frame_received (RwsClient *self,
                           GBytes    *payload,
                           gboolean   binary)
{
  rws_protocol_frame_received (self->protocol_instance, payload, binary);
}

void
rws_client_protocol_fail (RwsClient    *self,
                          const GError *error,
                          gboolean      fatal)
{
  if (self->transport == NULL)
    return;

  rws_client_fail_connection (self, error, fatal);
}

/* Delivery. */

void
rws_client_protocol_deliver (RwsClient       *self,
                             RwsSubscription *subscription,
                             const char      *topic,
                             GBytes          *payload,
                             gboolean         binary)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  g_autoptr(RwsMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) json = NULL;
  guint epoch = self->epoch;

  if (!rws_codec_decode (self->codec_instance, payload, binary, &text, &json, &error))
    {
      g_signal_emit (self, rws_client_signals[SIGNAL_ERROR], 0, error);
      return;
    }

  if (topic == NULL && subscription != NULL)
    topic = rws_subscription_get_topic (subscription);

  message = rws_message_new (payload, binary, text, topic, json, subscription,
                             g_get_monotonic_time (), ++self->sequence);

  if (subscription != NULL)
    {
      rws_subscription_emit_message (subscription, message);
      if (epoch != self->epoch)
        return;
    }

  g_signal_emit (self, rws_client_signals[SIGNAL_MESSAGE], 0, message);
}

/* Restoring subscriptions. */

static gboolean
all_resolved (RwsClient *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->subscriptions));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RwsSubscription) subscription = g_list_model_get_item (G_LIST_MODEL (self->subscriptions), i);

      if (rws_subscription_get_state (subscription) == RWS_SUBSCRIPTION_PENDING)
        return FALSE;
    }

  return TRUE;
}

static void
maybe_ready (RwsClient *self)
{
  if (self->restoring && self->state == RWS_STATE_OPEN && all_resolved (self))
    {
      self->restoring = FALSE;
      rws_client_mark_ready (self);
    }
}

static gboolean ack_timeout (gpointer user_data);

static void
send_subscription (RwsClient           *self,
                   RwsSubscriptionSlot *slot)
{
  RwsSubscription *subscription = slot->subscription;
  guint ack = rws_protocol_get_ack_timeout (self->protocol_instance);

  slot_stop (slot);
  rws_subscription_set_state (subscription, RWS_SUBSCRIPTION_PENDING);
  rws_subscription_set_attempts (subscription, rws_subscription_get_attempts (subscription) + 1);

  rws_protocol_subscribe (self->protocol_instance, subscription);

  /* The protocol may have confirmed or rejected it, or the connection may
   * have ended, while it sent the frame. */
  if (rws_subscription_get_state (subscription) != RWS_SUBSCRIPTION_PENDING ||
      !rws_client_protocol_is_connected (self))
    return;

  if (ack == 0)
    rws_subscription_set_state (subscription, RWS_SUBSCRIPTION_ACTIVE);
  else
    slot->ack_source = g_timeout_add_full (G_PRIORITY_DEFAULT, ack, ack_timeout, slot, NULL);
}

static gboolean
retry_subscription (gpointer user_data)
{
  RwsSubscriptionSlot *slot = user_data;
  RwsClient *self = slot->client;
  g_autoptr(RwsClient) hold = g_object_ref (self);

  slot->retry_source = 0;
  send_subscription (self, slot);
  maybe_ready (self);

  return G_SOURCE_REMOVE;
}

static void
fail_subscription (RwsClient           *self,
                   RwsSubscriptionSlot *slot,
                   const GError        *error)
{
  g_autoptr(RwsSubscription) subscription = g_object_ref (slot->subscription);
  guint epoch = self->epoch;

  slot_stop (slot);
  rws_subscription_set_state (subscription, RWS_SUBSCRIPTION_FAILED);

  g_debug ("subscription to “%s” failed: %s", rws_subscription_get_topic (subscription), error->message);
  rws_subscription_emit_error (subscription, error);
  if (epoch != self->epoch)
    return;

  g_signal_emit (self, rws_client_signals[SIGNAL_ERROR], 0, error);
  if (epoch != self->epoch)
    return;

  maybe_ready (self);
}

static gboolean
ack_timeout (gpointer user_data)
{
  RwsSubscriptionSlot *slot = user_data;
  RwsClient *self = slot->client;
  g_autoptr(RwsClient) hold = g_object_ref (self);
  RwsSubscription *subscription = slot->subscription;
  guint attempts = rws_subscription_get_attempts (subscription);
  guint delay;

  slot->ack_source = 0;

  if (attempts >= self->subscribe_attempts)
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new (RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR,
                           /* Translators: the first value is a topic, the second a count, the third milliseconds. */
                           _("The server did not confirm the subscription to “%s” after %u tries of %u ms each"),
                           rws_subscription_get_topic (subscription), attempts,
                           rws_protocol_get_ack_timeout (self->protocol_instance));
      fail_subscription (self, slot, error);
      return G_SOURCE_REMOVE;
    }

  rws_backoff_configure (slot->backoff, self->backoff_initial, self->backoff_max,
                         self->backoff_multiplier, self->backoff_jitter);
  delay = rws_backoff_next (slot->backoff);
  g_debug ("no confirmation of the subscription to “%s”: sending it again in %u ms",
           rws_subscription_get_topic (subscription), delay);
  slot->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, retry_subscription, slot, NULL);

  return G_SOURCE_REMOVE;
}

/* Called by the protocol once its handshake is done. */
void
rws_client_protocol_ready (RwsClient *self)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;
  guint epoch = self->epoch;

  if (self->state != RWS_STATE_OPEN || self->restoring)
    return;

  g_clear_handle_id (&self->protocol_handshake_source, g_source_remove);
  self->restoring = TRUE;

  /* A snapshot: handlers may subscribe or unsubscribe while frames go out. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->subscriptions));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (pending, g_list_model_get_item (G_LIST_MODEL (self->subscriptions), i));

  for (guint i = 0; i < pending->len; i++)
    {
      RwsSubscription *subscription = g_ptr_array_index (pending, i);
      RwsSubscriptionSlot *slot = g_hash_table_lookup (self->slots, subscription);

      if (slot == NULL || slot->rejected ||
          rws_subscription_get_state (subscription) == RWS_SUBSCRIPTION_CANCELLED)
        continue;

      rws_backoff_reset (slot->backoff);
      send_subscription (self, slot);
      if (epoch != self->epoch || !rws_client_protocol_is_connected (self))
        return;
    }

  maybe_ready (self);
}

void
rws_client_subscription_confirmed (RwsClient       *self,
                                   RwsSubscription *subscription,
                                   const char      *id)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  RwsSubscriptionSlot *slot = g_hash_table_lookup (self->slots, subscription);

  if (slot == NULL)
    return;

  slot_stop (slot);
  rws_subscription_set_id (subscription, id);
  rws_subscription_set_state (subscription, RWS_SUBSCRIPTION_ACTIVE);
  maybe_ready (self);
}

void
rws_client_subscription_rejected (RwsClient       *self,
                                  RwsSubscription *subscription,
                                  const GError    *error)
{
  g_autoptr(RwsClient) hold = g_object_ref (self);
  RwsSubscriptionSlot *slot = g_hash_table_lookup (self->slots, subscription);

  if (slot == NULL)
    return;

  slot->rejected = TRUE;
  fail_subscription (self, slot, error);
}

/* Public API. */

RwsSubscription *
rws_client_find_subscription (RwsClient  *self,
                              const char *topic)
{
  return g_hash_table_lookup (self->subscriptions_by_topic, topic);
}

/**
 * rws_client_subscribe:
 * @self: a client
 * @topic: the topic, as the protocol names it
 * @params: (nullable): extra parameters for the protocol
 *
 * Subscribes to @topic. The client keeps the subscription and sends it
 * after every connection, once, until [method@Rws.Client.unsubscribe].
 * Sent at once when the client is connected, else after the next
 * connection. Subscribing again to the same topic returns the same
 * subscription and changes nothing.
 *
 * With the raw protocol a subscription sends nothing: it only records
 * interest, and every message goes to [signal@Rws.Client::message].
 *
 * Returns: (transfer none): the subscription of @topic
 *
 * Since: 0.1
 */
RwsSubscription *
rws_client_subscribe (RwsClient  *self,
                      const char *topic,
                      JsonNode   *params)
{
  g_autoptr(RwsClient) hold = NULL;
  RwsSubscription *subscription;
  RwsSubscriptionSlot *slot;

  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);
  g_return_val_if_fail (topic != NULL && *topic != '\0', NULL);

  subscription = g_hash_table_lookup (self->subscriptions_by_topic, topic);
  if (subscription != NULL)
    return subscription;

  hold = g_object_ref (self);
  subscription = rws_subscription_new (topic, params);
  slot = g_new0 (RwsSubscriptionSlot, 1);
  slot->client = self;
  slot->subscription = subscription;
  slot->backoff = rws_backoff_new (self->backoff_initial, self->backoff_max,
                                   self->backoff_multiplier, self->backoff_jitter);

  g_hash_table_insert (self->slots, subscription, slot);
  g_hash_table_insert (self->subscriptions_by_topic,
                       (gpointer) rws_subscription_get_topic (subscription), subscription);
  g_list_store_append (self->subscriptions, subscription);
  g_object_unref (subscription);

  /* While restoring or ready, the new subscription goes out at once and
   * READY waits for it like for the others. */
  if (self->protocol_instance != NULL &&
      rws_client_protocol_is_connected (self) &&
      (self->restoring || self->state == RWS_STATE_READY))
    send_subscription (self, slot);

  return subscription;
}

/**
 * rws_client_unsubscribe:
 * @self: a client
 * @topic: a topic
 *
 * Ends the subscription to @topic: the protocol sends its unsubscribe
 * frame when connected, the subscription becomes
 * %RWS_SUBSCRIPTION_CANCELLED, leaves the list, and is not restored.
 *
 * Returns: `TRUE` when there was a subscription to @topic
 *
 * Since: 0.1
 */
gboolean
rws_client_unsubscribe (RwsClient  *self,
                        const char *topic)
{
  g_autoptr(RwsClient) hold = NULL;
  g_autoptr(RwsSubscription) subscription = NULL;
  guint position;

  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);

  subscription = g_hash_table_lookup (self->subscriptions_by_topic, topic);
  if (subscription == NULL)
    return FALSE;

  hold = g_object_ref (self);
  g_object_ref (subscription);
  g_hash_table_remove (self->subscriptions_by_topic, topic);
  g_hash_table_remove (self->slots, subscription);
  if (g_list_store_find (self->subscriptions, subscription, &position))
    g_list_store_remove (self->subscriptions, position);

  if (self->protocol_instance != NULL && rws_client_protocol_is_connected (self) &&
      rws_subscription_get_state (subscription) != RWS_SUBSCRIPTION_FAILED)
    rws_protocol_unsubscribe (self->protocol_instance, subscription);

  rws_subscription_set_state (subscription, RWS_SUBSCRIPTION_CANCELLED);
  maybe_ready (self);

  return TRUE;
}

/**
 * rws_client_get_subscriptions:
 * @self: a client
 *
 * Gets the client's subscriptions, in the order they were made, for
 * example to bind a list widget to.
 *
 * Returns: (transfer none): a list of [class@Rws.Subscription]
 *
 * Since: 0.1
 */
GListModel *
rws_client_get_subscriptions (RwsClient *self)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), NULL);

  return G_LIST_MODEL (self->subscriptions);
}

/**
 * rws_client_publish:
 * @self: a client
 * @topic: a topic
 * @payload: the payload to publish
 * @error: return location for an error
 *
 * Publishes @payload to @topic in the protocol's envelope. The frame is
 * queued and sent like [method@Rws.Client.send_text].
 *
 * Returns: `TRUE` when the message was accepted; `FALSE` with
 *   %RWS_ERROR_NOT_SUPPORTED when the protocol has no topics, or with the
 *   error of the queue
 *
 * Since: 0.1
 */
gboolean
rws_client_publish (RwsClient   *self,
                    const char  *topic,
                    GBytes      *payload,
                    GError     **error)
{
  g_autoptr(GBytes) frame = NULL;
  RwsProtocol *protocol;
  gboolean binary = FALSE;

  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  protocol = rws_client_get_protocol_instance (self, error);
  if (protocol == NULL)
    return FALSE;

  frame = rws_protocol_publish (protocol, topic, payload, &binary, error);
  if (frame == NULL)
    return FALSE;

  return rws_client_enqueue (self, frame, binary, NULL, error);
}
