/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The json-template protocol: exchange-style JSON feeds, where the client
 * subscribes with a JSON message built from a template and the server
 * sends JSON messages that name their topic somewhere inside.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gmodule.h>
#include <rws.h>

#include "rws-plugin-json.h"

#define DEFAULT_SUBSCRIBE_TEMPLATE   "{\"op\":\"subscribe\",\"args\":[\"{topic}\"]}"
#define DEFAULT_UNSUBSCRIBE_TEMPLATE "{\"op\":\"unsubscribe\",\"args\":[\"{topic}\"]}"
#define DEFAULT_PUBLISH_TEMPLATE     "{\"op\":\"publish\",\"topic\":\"{topic}\",\"data\":{payload}}"

/* The ack timeout the plugin sets when ack-id-pointer is set, in ms. */
#define DEFAULT_ACK_TIMEOUT_MS 5000

#define RWS_TYPE_JSON_TEMPLATE (rws_json_template_get_type ())

G_DECLARE_FINAL_TYPE (RwsJsonTemplate, rws_json_template, RWS, JSON_TEMPLATE, RwsProtocol)

typedef enum
{
  REQUEST_SUBSCRIBE,
  REQUEST_UNSUBSCRIBE,
} RequestKind;

/* A subscribe or unsubscribe message sent on the current connection whose
 * ack has not arrived yet.
 */
typedef struct
{
  RequestKind  kind;
  GPtrArray   *subscriptions;  /* RwsSubscription, owned */
} Request;

/**
 * RwsJsonTemplate:
 *
 * The `json-template` protocol plugin, for exchange-style JSON feeds.
 *
 * Each subscription sends [property@RwsJsonTemplate:subscribe-template]
 * with its placeholders replaced:
 *
 * - `{topic}`: the topic, as a JSON string, or its escaped text when the
 *   placeholder sits inside a JSON string (`"{topic}"`)
 * - `{id}`: a request number, counted from 1 on each connection
 * - `{topics}`: a JSON array of the topics subscribed together.  When the
 *   template contains `{topics}`, every subscription requested in one main
 *   loop iteration goes out in a single message, and `{topic}` and
 *   `{params}` take the values of the first of them.
 * - `{params}`: the subscription's parameters as JSON, `null` when it has
 *   none
 *
 * Inside a JSON string, every placeholder is replaced by its escaped text.
 *
 * Incoming messages are routed to the subscription whose topic is the
 * value at [property@RwsJsonTemplate:topic-pointer].  Messages that name no
 * subscription go to the client only, and frames that are not JSON go to the
 * client as they are.
 *
 * When [property@RwsJsonTemplate:ack-id-pointer] is set, a reply carrying
 * the id of a subscribe message is that subscription's ack: it confirms the
 * subscription, or rejects it when
 * [property@RwsJsonTemplate:error-pointer] names a value in the reply.
 * Acks are not delivered as messages.
 *
 * Since: 0.1
 */
struct _RwsJsonTemplate
{
  RwsProtocol parent_instance;

  char *subscribe_template;
  char *unsubscribe_template;
  char *publish_template;
  char *ping_message;
  char *topic_pointer;
  char *ack_id_pointer;
  char *error_pointer;
  char *payload_pointer;

  /* The ack timeout before the plugin changed it, and the value it set
   * last.  A different current value was set by the user and stays.
   */
  guint initial_ack_timeout;
  guint applied_ack_timeout;

  /* Per-connection state, cleared by reset(). */
  guint64     last_id;
  GHashTable *requests;           /* ack id text -> Request */
  GPtrArray  *subscribe_batch;    /* RwsSubscription, for {topics} */
  GPtrArray  *unsubscribe_batch;  /* RwsSubscription, for {topics} */
  GSource    *batch_source;
};

G_DEFINE_FINAL_TYPE (RwsJsonTemplate, rws_json_template, RWS_TYPE_PROTOCOL)

enum
{
  PROP_0,
  PROP_SUBSCRIBE_TEMPLATE,
  PROP_UNSUBSCRIBE_TEMPLATE,
  PROP_PUBLISH_TEMPLATE,
  PROP_PING_MESSAGE,
  PROP_TOPIC_POINTER,
  PROP_ACK_ID_POINTER,
  PROP_ERROR_POINTER,
  PROP_PAYLOAD_POINTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static Request *
request_new (RequestKind kind)
{
  Request *request = g_new0 (Request, 1);

  request->kind = kind;
  request->subscriptions = g_ptr_array_new_with_free_func (g_object_unref);

  return request;
}

static void
request_free (Request *request)
{
  g_ptr_array_unref (request->subscriptions);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
is_set (const char *value)
{
  return value != NULL && value[0] != '\0';
}

/* A template placeholder: the text that replaces it outside JSON strings
 * (a JSON value) and inside them (escaped text).
 */
typedef struct
{
  const char *name;
  char       *json;
  char       *in_string;
} Placeholder;

typedef struct
{
  Placeholder topic;
  Placeholder topics;
  Placeholder id;
  Placeholder params;
  Placeholder payload;
} Placeholders;

static void
placeholders_clear (Placeholders *placeholders)
{
  Placeholder *all[] = {
    &placeholders->topic, &placeholders->topics, &placeholders->id,
    &placeholders->params, &placeholders->payload,
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_clear_pointer (&all[i]->json, g_free);
      g_clear_pointer (&all[i]->in_string, g_free);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Placeholders, placeholders_clear)

static void
set_json_placeholder (Placeholder *placeholder,
                      const char  *name,
                      char        *json)
{
  placeholder->name = name;
  placeholder->json = json;
  placeholder->in_string = rws_json_escape_string (json, -1);
}

static void
set_string_placeholder (Placeholder *placeholder,
                        const char  *name,
                        const char  *text,
                        gssize       length)
{
  placeholder->name = name;
  placeholder->in_string = rws_json_escape_string (text, length);
  placeholder->json = g_strdup_printf ("\"%s\"", placeholder->in_string);
}

/* Fills the placeholders for a message about @topics, where the first
 * topic and @params also fill {topic} and {params}.
 */
static void
placeholders_init (Placeholders       *placeholders,
                   const char * const *topics,
                   JsonNode           *params,
                   guint64             id)
{
  g_autoptr(GString) topics_json = g_string_new ("[");

  for (guint i = 0; topics[i] != NULL; i++)
    {
      g_autofree char *escaped = rws_json_escape_string (topics[i], -1);

      if (i > 0)
        g_string_append_c (topics_json, ',');
      g_string_append_printf (topics_json, "\"%s\"", escaped);
    }
  g_string_append_c (topics_json, ']');

  set_string_placeholder (&placeholders->topic, "topic", topics[0], -1);
  set_json_placeholder (&placeholders->topics, "topics",
                        g_string_free (g_steal_pointer (&topics_json), FALSE));
  set_json_placeholder (&placeholders->id, "id",
                        g_strdup_printf ("%" G_GUINT64_FORMAT, id));
  set_json_placeholder (&placeholders->params, "params",
                        params != NULL ? rws_json_node_to_string (params) : g_strdup ("null"));
}

/* Fills {payload}: the payload itself where it is JSON, so numbers keep
 * their exact text, and a JSON string of it otherwise.
 */
static void
placeholders_set_payload (Placeholders *placeholders,
                          const char   *text,
                          gsize         length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (length > 0 &&
      json_parser_load_from_data (parser, text, (gssize) length, NULL) &&
      json_parser_get_root (parser) != NULL)
    {
      placeholders->payload.name = "payload";
      placeholders->payload.json = g_strndup (text, length);
      placeholders->payload.in_string = rws_json_escape_string (text, (gssize) length);
    }
  else
    {
      set_string_placeholder (&placeholders->payload, "payload", text, (gssize) length);
    }
}

/* Replaces each placeholder in @template, tracking whether it sits inside
 * a JSON string.  Unknown names in braces stay as they are.
 */
static char *
expand_template (const char         *template,
                 const Placeholders *placeholders)
{
  const Placeholder *all[] = {
    &placeholders->topic, &placeholders->topics, &placeholders->id,
    &placeholders->params, &placeholders->payload,
  };
  GString *expanded = g_string_sized_new (strlen (template) + 64);
  gboolean in_string = FALSE;
  const char *p = template;

  while (*p != '\0')
    {
      gboolean replaced = FALSE;

      if (in_string && p[0] == '\\' && p[1] != '\0')
        {
          g_string_append_len (expanded, p, 2);
          p += 2;
          continue;
        }

      if (*p == '"')
        in_string = !in_string;

      if (*p == '{')
        {
          for (guint i = 0; i < G_N_ELEMENTS (all) && !replaced; i++)
            {
              gsize name_length;

              if (all[i]->name == NULL)
                continue;

              name_length = strlen (all[i]->name);
              if (strncmp (p + 1, all[i]->name, name_length) == 0 &&
                  p[1 + name_length] == '}')
                {
                  g_string_append (expanded, in_string ? all[i]->in_string : all[i]->json);
                  p += name_length + 2;
                  replaced = TRUE;
                }
            }
        }

      if (!replaced)
        {
          g_string_append_c (expanded, *p);
          p++;
        }
    }

  return g_string_free (expanded, FALSE);
}

static JsonNode *
parse_json (const char  *text,
            gssize       length,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("The text is empty"));
      return NULL;
    }

  return json_node_ref (root);
}

static GError *
new_template_error (const char   *property,
                    const char   *template,
                    const GError *parse_error)
{
  return g_error_new (RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                      _("Invalid %s “%s”: it is not valid JSON after its placeholders are replaced: %s"),
                      property, template, parse_error->message);
}

static void
fail_invalid_template (RwsJsonTemplate *self,
                       const char      *property,
                       const char      *template,
                       const GError    *parse_error)
{
  g_autoptr(GError) error = new_template_error (property, template, parse_error);

  rws_protocol_fail (RWS_PROTOCOL (self), error, TRUE);
}

/* Checks every template with sample values and every JSON pointer, so
 * that a configuration error stops the client at the first connection.
 */
static gboolean
check_configuration (RwsJsonTemplate  *self,
                     GError          **error)
{
  const char *sample_topics[] = { "topic", NULL };
  const struct
  {
    const char *property;
    const char *template;
    gboolean    required;
  } templates[] = {
    { "subscribe-template", self->subscribe_template, TRUE },
    { "unsubscribe-template", self->unsubscribe_template, FALSE },
    { "publish-template", self->publish_template, FALSE },
  };
  const struct
  {
    const char *property;
    const char *pointer;
  } pointers[] = {
    { "topic-pointer", self->topic_pointer },
    { "ack-id-pointer", self->ack_id_pointer },
    { "error-pointer", self->error_pointer },
    { "payload-pointer", self->payload_pointer },
  };
  g_auto(Placeholders) placeholders = { 0 };

  placeholders_init (&placeholders, sample_topics, NULL, 1);
  placeholders_set_payload (&placeholders, "{}", 2);

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_autofree char *expanded = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) parse_error = NULL;

      if (!templates[i].required && !is_set (templates[i].template))
        continue;

      expanded = expand_template (templates[i].template, &placeholders);
      node = parse_json (expanded, -1, &parse_error);
      if (node == NULL)
        {
          g_propagate_error (error, new_template_error (templates[i].property,
                                                        templates[i].template,
                                                        parse_error));
          return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (pointers); i++)
    {
      if (is_set (pointers[i].pointer) && !rws_json_pointer_is_valid (pointers[i].pointer))
        {
          g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                       _("Invalid %s “%s”: a JSON pointer starts with “/” and escapes “~” as “~0” and “/” as “~1”"),
                       pointers[i].property, pointers[i].pointer);
          return FALSE;
        }
    }

  return TRUE;
}

/* Registers @request under the ack id of the message it sent: the value at
 * ack-id-pointer in that message, or else its {id}.  A request under an id
 * that is already waiting joins it, so that one ack settles both.
 */
static void
add_request (RwsJsonTemplate *self,
             JsonNode        *message,
             guint64          id,
             RequestKind      kind,
             GPtrArray       *subscriptions)
{
  char *key = rws_json_node_dup_scalar_text (rws_json_pointer_get (message, self->ack_id_pointer));
  Request *request;

  if (key == NULL)
    key = g_strdup_printf ("%" G_GUINT64_FORMAT, id);

  request = g_hash_table_lookup (self->requests, key);
  if (request == NULL || request->kind != kind)
    {
      request = request_new (kind);
      g_hash_table_replace (self->requests, key, request);
    }
  else
    {
      g_free (key);
    }

  for (guint i = 0; i < subscriptions->len; i++)
    g_ptr_array_add (request->subscriptions, g_object_ref (subscriptions->pdata[i]));
}

/* Sends the subscribe or unsubscribe message for @subscriptions, which
 * contains at least one subscription.
 */
static void
send_request (RwsJsonTemplate *self,
              RequestKind      kind,
              GPtrArray       *subscriptions)
{
  const char *template = kind == REQUEST_SUBSCRIBE ? self->subscribe_template : self->unsubscribe_template;
  const char *property = kind == REQUEST_SUBSCRIBE ? "subscribe-template" : "unsubscribe-template";
  RwsSubscription *first = g_ptr_array_index (subscriptions, 0);
  g_autofree const char **topics = g_new0 (const char *, subscriptions->len + 1);
  g_auto(Placeholders) placeholders = { 0 };
  g_autofree char *expanded = NULL;
  g_autoptr(JsonNode) message = NULL;
  g_autoptr(GError) parse_error = NULL;
  guint64 id;

  if (kind == REQUEST_UNSUBSCRIBE && !is_set (template))
    return;

  for (guint i = 0; i < subscriptions->len; i++)
    topics[i] = rws_subscription_get_topic (g_ptr_array_index (subscriptions, i));

  id = ++self->last_id;
  placeholders_init (&placeholders, topics, rws_subscription_get_params (first), id);
  expanded = expand_template (template, &placeholders);

  message = parse_json (expanded, -1, &parse_error);
  if (message == NULL)
    {
      fail_invalid_template (self, property, template, parse_error);
      return;
    }

  if (is_set (self->ack_id_pointer))
    add_request (self, message, id, kind, subscriptions);

  rws_protocol_send_text (RWS_PROTOCOL (self), expanded);
}

static gboolean
uses_topics_placeholder (const char *template)
{
  return template != NULL && strstr (template, "{topics}") != NULL;
}

static gboolean
flush_batches (gpointer user_data)
{
  RwsJsonTemplate *self = user_data;
  g_autoptr(GPtrArray) subscribe_batch = g_steal_pointer (&self->subscribe_batch);
  g_autoptr(GPtrArray) unsubscribe_batch = g_steal_pointer (&self->unsubscribe_batch);

  g_clear_pointer (&self->batch_source, g_source_unref);

  if (!rws_protocol_is_connected (RWS_PROTOCOL (self)))
    return G_SOURCE_REMOVE;

  if (subscribe_batch != NULL && subscribe_batch->len > 0)
    send_request (self, REQUEST_SUBSCRIBE, subscribe_batch);
  if (unsubscribe_batch != NULL && unsubscribe_batch->len > 0)
    send_request (self, REQUEST_UNSUBSCRIBE, unsubscribe_batch);

  return G_SOURCE_REMOVE;
}

/* Adds @subscription to a batch that goes out when the main loop is next
 * idle, in one message built from a template that uses {topics}.
 *
 * NOTE: when subscriptions need no ack, the client may emit `ready` and
 * drain its queue before the batch goes out, so queued messages can reach
 * the server before the batched subscribe message.
 */
static void
add_to_batch (RwsJsonTemplate  *self,
              GPtrArray       **batch,
              RwsSubscription  *subscription)
{
  g_autoptr(GMainContext) context = NULL;

  if (*batch == NULL)
    *batch = g_ptr_array_new_with_free_func (g_object_unref);
  if (!g_ptr_array_find (*batch, subscription, NULL))
    g_ptr_array_add (*batch, g_object_ref (subscription));

  if (self->batch_source != NULL)
    return;

  context = g_main_context_ref_thread_default ();
  self->batch_source = g_idle_source_new ();
  g_source_set_priority (self->batch_source, G_PRIORITY_HIGH_IDLE);
  g_source_set_callback (self->batch_source, flush_batches, self, NULL);
  g_source_set_static_name (self->batch_source, "[rws-json-template] batch");
  g_source_attach (self->batch_source, context);
}

static void
clear_connection_state (RwsJsonTemplate *self)
{
  self->last_id = 0;
  g_hash_table_remove_all (self->requests);
  g_clear_pointer (&self->subscribe_batch, g_ptr_array_unref);
  g_clear_pointer (&self->unsubscribe_batch, g_ptr_array_unref);

  if (self->batch_source != NULL)
    {
      g_source_destroy (self->batch_source);
      g_clear_pointer (&self->batch_source, g_source_unref);
    }
}

/* Returns the text of the error value in a rejecting reply: a string as
 * it is, anything else as JSON.
 */
static char *
dup_error_text (JsonNode *node)
{
  char *text = NULL;

  if (JSON_NODE_HOLDS_VALUE (node))
    text = rws_json_node_dup_scalar_text (node);

  return text != NULL ? text : rws_json_node_to_string (node);
}

static void
settle_subscription (RwsJsonTemplate *self,
                     RwsSubscription *subscription,
                     JsonNode        *error_node)
{
  RwsSubscriptionState state = rws_subscription_get_state (subscription);
  g_autofree char *error_text = NULL;
  g_autoptr(GError) error = NULL;

  if (error_node == NULL)
    {
      if (state == RWS_SUBSCRIPTION_PENDING)
        rws_protocol_confirm_subscription (RWS_PROTOCOL (self), subscription, NULL);
      return;
    }

  if (state != RWS_SUBSCRIPTION_PENDING && state != RWS_SUBSCRIPTION_ACTIVE)
    return;

  error_text = dup_error_text (error_node);
  error = g_error_new (RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR,
                       _("The server rejected the subscription to “%s”: %s"),
                       rws_subscription_get_topic (subscription), error_text);
  rws_protocol_reject_subscription (RWS_PROTOCOL (self), subscription, error);
}

/* Settles the request that @reply acks, if any.
 *
 * Returns: whether @reply is an ack, which is not delivered
 */
static gboolean
handle_ack (RwsJsonTemplate *self,
            JsonNode        *reply)
{
  g_autofree char *key = NULL;
  g_autofree char *stolen_key = NULL;
  g_autoptr(Request) request = NULL;
  JsonNode *error_node = NULL;

  if (!is_set (self->ack_id_pointer) || g_hash_table_size (self->requests) == 0)
    return FALSE;

  key = rws_json_node_dup_scalar_text (rws_json_pointer_get (reply, self->ack_id_pointer));
  if (key == NULL ||
      !g_hash_table_steal_extended (self->requests, key,
                                    (gpointer *) &stolen_key, (gpointer *) &request))
    return FALSE;

  if (request->kind != REQUEST_SUBSCRIBE)
    return TRUE;

  if (is_set (self->error_pointer))
    {
      error_node = rws_json_pointer_get (reply, self->error_pointer);
      if (error_node != NULL && JSON_NODE_HOLDS_NULL (error_node))
        error_node = NULL;
    }

  for (guint i = 0; i < request->subscriptions->len; i++)
    settle_subscription (self, g_ptr_array_index (request->subscriptions, i), error_node);

  return TRUE;
}

static void
rws_json_template_opened (RwsProtocol *protocol)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (protocol);
  g_autoptr(GError) error = NULL;

  if (!check_configuration (self, &error))
    {
      rws_protocol_fail (protocol, error, TRUE);
      return;
    }

  rws_protocol_mark_ready (protocol);
}

static void
rws_json_template_frame_received (RwsProtocol *protocol,
                                  GBytes      *payload,
                                  gboolean     binary)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (protocol);
  gsize length;
  const char *data = g_bytes_get_data (payload, &length);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) delivered = NULL;
  g_autofree char *topic = NULL;
  RwsSubscription *subscription = NULL;
  gsize start, end;

  if (!binary && length > 0 && length <= G_MAXSSIZE)
    root = parse_json (data, (gssize) length, NULL);

  if (root == NULL)
    {
      rws_protocol_deliver (protocol, NULL, NULL, payload, binary);
      return;
    }

  if (handle_ack (self, root))
    return;

  if (is_set (self->topic_pointer))
    {
      topic = rws_json_node_dup_scalar_text (rws_json_pointer_get (root, self->topic_pointer));
      if (topic != NULL)
        subscription = rws_protocol_find_subscription (protocol, topic);
    }

  if (is_set (self->payload_pointer) &&
      rws_json_pointer_find_span (data, length, self->payload_pointer, &start, &end))
    delivered = g_bytes_new_from_bytes (payload, start, end - start);
  else
    delivered = g_bytes_ref (payload);

  rws_protocol_deliver (protocol, subscription, topic, delivered, FALSE);
}

static void
rws_json_template_subscribe (RwsProtocol     *protocol,
                             RwsSubscription *subscription)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (protocol);
  g_autoptr(GPtrArray) single = NULL;

  if (uses_topics_placeholder (self->subscribe_template))
    {
      add_to_batch (self, &self->subscribe_batch, subscription);
      return;
    }

  single = g_ptr_array_new ();
  g_ptr_array_add (single, subscription);
  send_request (self, REQUEST_SUBSCRIBE, single);
}

static void
rws_json_template_unsubscribe (RwsProtocol     *protocol,
                               RwsSubscription *subscription)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (protocol);
  g_autoptr(GPtrArray) single = NULL;

  if (self->subscribe_batch != NULL)
    g_ptr_array_remove (self->subscribe_batch, subscription);

  if (!rws_protocol_is_connected (protocol) || !is_set (self->unsubscribe_template))
    return;

  if (uses_topics_placeholder (self->unsubscribe_template))
    {
      add_to_batch (self, &self->unsubscribe_batch, subscription);
      return;
    }

  single = g_ptr_array_new ();
  g_ptr_array_add (single, subscription);
  send_request (self, REQUEST_UNSUBSCRIBE, single);
}

static GBytes *
rws_json_template_publish (RwsProtocol  *protocol,
                           const char   *topic,
                           GBytes       *payload,
                           gboolean     *binary,
                           GError      **error)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (protocol);
  const char *topics[] = { topic, NULL };
  g_auto(Placeholders) placeholders = { 0 };
  g_autofree char *expanded = NULL;
  g_autoptr(JsonNode) message = NULL;
  g_autoptr(GError) parse_error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (payload, &length);

  if (!is_set (self->publish_template))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
                   _("Cannot publish to “%s”: publish-template is empty"), topic);
      return NULL;
    }

  if (length > 0 && !g_utf8_validate (data, (gssize) length, NULL))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
                   _("Cannot publish to “%s”: the json-template protocol publishes UTF-8 text only"),
                   topic);
      return NULL;
    }

  placeholders_init (&placeholders, topics, NULL, ++self->last_id);
  placeholders_set_payload (&placeholders, length > 0 ? data : "", length);
  expanded = expand_template (self->publish_template, &placeholders);

  message = parse_json (expanded, -1, &parse_error);
  if (message == NULL)
    {
      g_propagate_error (error, new_template_error ("publish-template",
                                                    self->publish_template,
                                                    parse_error));
      return NULL;
    }

  *binary = FALSE;
  length = strlen (expanded);

  return g_bytes_new_take (g_steal_pointer (&expanded), length);
}

static void
rws_json_template_heartbeat (RwsProtocol *protocol)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (protocol);

  if (is_set (self->ping_message))
    rws_protocol_send_text (protocol, self->ping_message);
}

static void
rws_json_template_reset (RwsProtocol *protocol)
{
  clear_connection_state (RWS_JSON_TEMPLATE (protocol));
}

/* Sets the default ack timeout while ack ids are matched, and restores the
 * earlier value when they no longer are, unless the user changed it.
 *
 * NOTE: a user value equal to the one the plugin set cannot be
 * distinguished from it, so setting ack-timeout to 0 before ack-id-pointer
 * does not keep the 0.  Set ack-timeout after ack-id-pointer for that.
 */
static void
update_default_ack_timeout (RwsJsonTemplate *self)
{
  RwsProtocol *protocol = RWS_PROTOCOL (self);
  guint target = is_set (self->ack_id_pointer) ? DEFAULT_ACK_TIMEOUT_MS : self->initial_ack_timeout;

  if (rws_protocol_get_ack_timeout (protocol) != self->applied_ack_timeout)
    return;

  self->applied_ack_timeout = target;
  rws_protocol_set_ack_timeout (protocol, target);
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
rws_json_template_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_SUBSCRIBE_TEMPLATE:
      g_value_set_string (value, self->subscribe_template);
      break;
    case PROP_UNSUBSCRIBE_TEMPLATE:
      g_value_set_string (value, self->unsubscribe_template);
      break;
    case PROP_PUBLISH_TEMPLATE:
      g_value_set_string (value, self->publish_template);
      break;
    case PROP_PING_MESSAGE:
      g_value_set_string (value, self->ping_message);
      break;
    case PROP_TOPIC_POINTER:
      g_value_set_string (value, self->topic_pointer);
      break;
    case PROP_ACK_ID_POINTER:
      g_value_set_string (value, self->ack_id_pointer);
      break;
    case PROP_ERROR_POINTER:
      g_value_set_string (value, self->error_pointer);
      break;
    case PROP_PAYLOAD_POINTER:
      g_value_set_string (value, self->payload_pointer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_json_template_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (object);
  const char *text = g_value_get_string (value);
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case PROP_SUBSCRIBE_TEMPLATE:
      changed = set_string (&self->subscribe_template,
                            text != NULL ? text : DEFAULT_SUBSCRIBE_TEMPLATE);
      break;
    case PROP_UNSUBSCRIBE_TEMPLATE:
      changed = set_string (&self->unsubscribe_template,
                            text != NULL ? text : DEFAULT_UNSUBSCRIBE_TEMPLATE);
      break;
    case PROP_PUBLISH_TEMPLATE:
      changed = set_string (&self->publish_template,
                            text != NULL ? text : DEFAULT_PUBLISH_TEMPLATE);
      break;
    case PROP_PING_MESSAGE:
      changed = set_string (&self->ping_message, text);
      break;
    case PROP_TOPIC_POINTER:
      changed = set_string (&self->topic_pointer, text);
      break;
    case PROP_ACK_ID_POINTER:
      changed = set_string (&self->ack_id_pointer, text);
      if (changed)
        update_default_ack_timeout (self);
      break;
    case PROP_ERROR_POINTER:
      changed = set_string (&self->error_pointer, text);
      break;
    case PROP_PAYLOAD_POINTER:
      changed = set_string (&self->payload_pointer, text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
rws_json_template_dispose (GObject *object)
{
  clear_connection_state (RWS_JSON_TEMPLATE (object));

  G_OBJECT_CLASS (rws_json_template_parent_class)->dispose (object);
}

static void
rws_json_template_finalize (GObject *object)
{
  RwsJsonTemplate *self = RWS_JSON_TEMPLATE (object);

  g_free (self->subscribe_template);
  g_free (self->unsubscribe_template);
  g_free (self->publish_template);
  g_free (self->ping_message);
  g_free (self->topic_pointer);
  g_free (self->ack_id_pointer);
  g_free (self->error_pointer);
  g_free (self->payload_pointer);
  g_hash_table_unref (self->requests);

  G_OBJECT_CLASS (rws_json_template_parent_class)->finalize (object);
}

static GParamSpec *
new_string_property (const char *name,
                     const char *nick,
                     const char *blurb,
                     const char *default_value)
{
  return g_param_spec_string (name, nick, blurb, default_value,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                              G_PARAM_EXPLICIT_NOTIFY);
}

static void
rws_json_template_class_init (RwsJsonTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RwsProtocolClass *protocol_class = RWS_PROTOCOL_CLASS (klass);

  object_class->get_property = rws_json_template_get_property;
  object_class->set_property = rws_json_template_set_property;
  object_class->dispose = rws_json_template_dispose;
  object_class->finalize = rws_json_template_finalize;

  protocol_class->opened = rws_json_template_opened;
  protocol_class->frame_received = rws_json_template_frame_received;
  protocol_class->subscribe = rws_json_template_subscribe;
  protocol_class->unsubscribe = rws_json_template_unsubscribe;
  protocol_class->publish = rws_json_template_publish;
  protocol_class->heartbeat = rws_json_template_heartbeat;
  protocol_class->reset = rws_json_template_reset;

  /**
   * RwsJsonTemplate:subscribe-template:
   *
   * The message that subscribes a topic, with placeholders.  It must be
   * valid JSON once they are replaced, or the client fails with
   * %RWS_ERROR_CONFIG_INVALID.  Setting %NULL restores the default.
   *
   * Since: 0.1
   */
  properties[PROP_SUBSCRIBE_TEMPLATE] =
    new_string_property ("subscribe-template", NULL, NULL, DEFAULT_SUBSCRIBE_TEMPLATE);

  /**
   * RwsJsonTemplate:unsubscribe-template:
   *
   * The message that unsubscribes a topic, with the same placeholders as
   * [property@RwsJsonTemplate:subscribe-template].  An empty string sends
   * nothing, and %NULL restores the default.
   *
   * Since: 0.1
   */
  properties[PROP_UNSUBSCRIBE_TEMPLATE] =
    new_string_property ("unsubscribe-template", NULL, NULL, DEFAULT_UNSUBSCRIBE_TEMPLATE);

  /**
   * RwsJsonTemplate:publish-template:
   *
   * The message that [method@Rws.Client.publish] sends, with the
   * placeholders `{topic}`, `{id}` and `{payload}`.  `{payload}` is the
   * payload as it is when it is JSON, and a JSON string of it otherwise.
   * An empty string makes publishing fail with %RWS_ERROR_NOT_SUPPORTED,
   * and %NULL restores the default.
   *
   * Since: 0.1
   */
  properties[PROP_PUBLISH_TEMPLATE] =
    new_string_property ("publish-template", NULL, NULL, DEFAULT_PUBLISH_TEMPLATE);

  /**
   * RwsJsonTemplate:ping-message:
   *
   * The application-level ping, sent as it is every
   * [property@Rws.Protocol:heartbeat-interval] milliseconds.  %NULL or
   * empty sends none.
   *
   * Since: 0.1
   */
  properties[PROP_PING_MESSAGE] =
    new_string_property ("ping-message", NULL, NULL, NULL);

  /**
   * RwsJsonTemplate:topic-pointer:
   *
   * The JSON pointer (RFC 6901) of the topic in incoming messages, such as
   * `/topic` or `/arg/channel`.  A message whose topic is a subscription's
   * topic is delivered to that subscription and to the client, any other
   * message to the client only.  %NULL or empty routes nothing.
   *
   * Since: 0.1
   */
  properties[PROP_TOPIC_POINTER] =
    new_string_property ("topic-pointer", NULL, NULL, NULL);

  /**
   * RwsJsonTemplate:ack-id-pointer:
   *
   * The JSON pointer of the request id in ack replies, such as `/id`.
   * When set, a reply whose id is that of a subscribe message confirms
   * the subscription, and [property@Rws.Protocol:ack-timeout] becomes
   * 5000 unless the user set it.  The id of a subscribe message is the
   * value at this pointer in the message itself, or its `{id}` when the
   * message has none there, so the template should contain `{id}`.
   *
   * Since: 0.1
   */
  properties[PROP_ACK_ID_POINTER] =
    new_string_property ("ack-id-pointer", NULL, NULL, NULL);

  /**
   * RwsJsonTemplate:error-pointer:
   *
   * The JSON pointer of the error in ack replies, such as `/error`.  An
   * ack with a value other than null there rejects the subscription, and
   * that value is the error message.  It needs
   * [property@RwsJsonTemplate:ack-id-pointer].
   *
   * Since: 0.1
   */
  properties[PROP_ERROR_POINTER] =
    new_string_property ("error-pointer", NULL, NULL, NULL);

  /**
   * RwsJsonTemplate:payload-pointer:
   *
   * The JSON pointer of the part of each message to deliver, such as
   * `/data`.  That part is delivered byte for byte as the server sent it.
   * Messages without it are delivered whole, and %NULL or empty delivers
   * every message whole.
   *
   * Since: 0.1
   */
  properties[PROP_PAYLOAD_POINTER] =
    new_string_property ("payload-pointer", NULL, NULL, NULL);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rws_json_template_init (RwsJsonTemplate *self)
{
  self->subscribe_template = g_strdup (DEFAULT_SUBSCRIBE_TEMPLATE);
  self->unsubscribe_template = g_strdup (DEFAULT_UNSUBSCRIBE_TEMPLATE);
  self->publish_template = g_strdup (DEFAULT_PUBLISH_TEMPLATE);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) request_free);
  self->initial_ack_timeout = rws_protocol_get_ack_timeout (RWS_PROTOCOL (self));
  self->applied_ack_timeout = self->initial_ack_timeout;
}

G_MODULE_EXPORT void rws_plugin_register (RwsRegistry *registry);

void
rws_plugin_register (RwsRegistry *registry)
{
  g_autoptr(GError) error = NULL;

  if (!rws_registry_register_protocol (registry, "json-template", RWS_TYPE_JSON_TEMPLATE,
                                       _("Exchange-style JSON feeds: subscribe messages from templates, routing by JSON pointer"),
                                       &error))
    g_warning ("Failed to register the json-template protocol: %s", error->message);
}
