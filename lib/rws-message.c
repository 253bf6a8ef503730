/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws-message-private.h"

/**
 * RwsMessage:
 *
 * One decoded incoming message, as a [class@Rws.Client] delivers it in its
 * [signal@Rws.Client::message] signal.
 *
 * A message keeps the payload bytes of the whole reassembled WebSocket
 * message. Text messages also give the payload as a string. Messages are
 * immutable, so they can be kept or passed to other threads.
 *
 * Since: 0.1
 */
struct _RwsMessage
{
  GObject parent_instance;

  GBytes *bytes;
  gboolean binary;
  char *text;
  char *topic;
  RwsSubscription *subscription;
  JsonNode *json;
  gint64 received_time;
  guint64 sequence;
};

G_DEFINE_FINAL_TYPE (RwsMessage, rws_message, G_TYPE_OBJECT)

static void
rws_message_finalize (GObject *object)
{
  RwsMessage *self = RWS_MESSAGE (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->topic, g_free);
  g_clear_object (&self->subscription);
  g_clear_pointer (&self->json, json_node_unref);

  G_OBJECT_CLASS (rws_message_parent_class)->finalize (object);
}

static void
rws_message_class_init (RwsMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rws_message_finalize;
}

static void
rws_message_init (RwsMessage *self)
{
}

/* @text is the payload as text when the codec produced it, NULL for a
 * binary payload. */
RwsMessage *
rws_message_new (GBytes          *bytes,
                 gboolean         binary,
                 const char      *text,
                 const char      *topic,
                 JsonNode        *json,
                 RwsSubscription *subscription,
                 gint64           received_time,
                 guint64          sequence)
{
  RwsMessage *self = g_object_new (RWS_TYPE_MESSAGE, NULL);

  g_assert (bytes != NULL);

  self->bytes = g_bytes_ref (bytes);
  self->binary = binary;
  self->text = g_strdup (text);
  self->topic = g_strdup (topic);
  self->json = json != NULL ? json_node_ref (json) : NULL;
  self->subscription = subscription != NULL ? g_object_ref (subscription) : NULL;
  self->received_time = received_time;
  self->sequence = sequence;

  return self;
}

/**
 * rws_message_get_bytes:
 * @self: a message
 *
 * Gets the payload of the message as it arrived, after reassembly of
 * fragmented frames.
 *
 * Returns: (transfer none): the payload
 *
 * Since: 0.1
 */
GBytes *
rws_message_get_bytes (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), NULL);

  return self->bytes;
}

/**
 * rws_message_is_binary:
 * @self: a message
 *
 * Tells whether the message arrived in binary frames.
 *
 * Returns: `TRUE` for a binary message, `FALSE` for a text message
 *
 * Since: 0.1
 */
gboolean
rws_message_is_binary (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), FALSE);

  return self->binary;
}

/**
 * rws_message_get_text:
 * @self: a message
 *
 * Gets the payload as a string.
 *
 * Returns: (nullable): the UTF-8 text, or `NULL` for a binary message or
 *   when the codec produced no text
 *
 * Since: 0.1
 */
const char *
rws_message_get_text (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), NULL);

  return self->text;
}

/**
 * rws_message_get_json:
 * @self: a message
 *
 * Gets the JSON value that the codec decoded from the payload.
 *
 * Returns: (transfer none) (nullable): the JSON value, or `NULL` unless
 *   the codec produced one
 *
 * Since: 0.1
 */
JsonNode *
rws_message_get_json (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), NULL);

  return self->json;
}

/**
 * rws_message_get_topic:
 * @self: a message
 *
 * Gets the topic that the protocol found in the message envelope.
 *
 * Returns: (nullable): the topic, or `NULL` when the protocol has no topics
 *
 * Since: 0.1
 */
const char *
rws_message_get_topic (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), NULL);

  return self->topic;
}

/**
 * rws_message_get_subscription:
 * @self: a message
 *
 * Gets the subscription the protocol routed the message to.
 *
 * Returns: (transfer none) (nullable): the subscription, or `NULL`
 *
 * Since: 0.1
 */
RwsSubscription *
rws_message_get_subscription (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), NULL);

  return self->subscription;
}

/**
 * rws_message_get_received_time:
 * @self: a message
 *
 * Gets the time the message was received.
 *
 * Returns: the receive time in microseconds of g_get_monotonic_time()
 *
 * Since: 0.1
 */
gint64
rws_message_get_received_time (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), 0);

  return self->received_time;
}

/**
 * rws_message_get_sequence:
 * @self: a message
 *
 * Gets the number of the message among those its client received. The
 * first message of a client is 1, and the count goes on across reconnects.
 *
 * Returns: the sequence number
 *
 * Since: 0.1
 */
guint64
rws_message_get_sequence (RwsMessage *self)
{
  g_return_val_if_fail (RWS_IS_MESSAGE (self), 0);

  return self->sequence;
}
