/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rws-i18n.h"

#include "rws-codec-private.h"
#include "rws-types.h"

/**
 * RwsCodec:
 *
 * The base class of codec plugins: how the payload inside a protocol's
 * envelope is encoded.
 *
 * A codec turns an incoming payload into the text and JSON value of a
 * [class@Rws.Message], and an outgoing JSON value or byte string into a
 * payload. A payload the codec cannot decode is reported with the client's
 * [signal@Rws.Client::error] signal and %RWS_ERROR_DECODE_FAILED; the
 * client stays connected.
 *
 * Built in: `text` (UTF-8 text), `binary` (opaque bytes) and `json`.
 *
 * Since: 0.1
 */

G_DEFINE_ABSTRACT_TYPE (RwsCodec, rws_codec, G_TYPE_OBJECT)

static GBytes *
rws_codec_real_encode (RwsCodec  *self,
                       JsonNode  *node,
                       GBytes    *bytes,
                       gboolean  *binary,
                       GError   **error)
{
  if (node != NULL)
    {
      char *text = json_to_string (node, FALSE);

      *binary = FALSE;
      return g_bytes_new_take (text, strlen (text));
    }

  *binary = TRUE;
  return g_bytes_ref (bytes);
}

static gboolean
rws_codec_real_decode (RwsCodec  *self,
                       GBytes    *payload,
                       gboolean   binary,
                       char     **text,
                       JsonNode **json,
                       GError   **error)
{
  return TRUE;
}

static void
rws_codec_class_init (RwsCodecClass *klass)
{
  rws_i18n_init ();

  klass->encode = rws_codec_real_encode;
  klass->decode = rws_codec_real_decode;
}

static void
rws_codec_init (RwsCodec *self)
{
}

/**
 * rws_codec_encode:
 * @self: a codec
 * @node: (nullable): a JSON value to encode
 * @bytes: (nullable): raw bytes to encode, when @node is `NULL`
 * @binary: (out): whether the payload goes in a binary frame
 * @error: return location for an error
 *
 * Encodes an outgoing message. Exactly one of @node and @bytes is set.
 *
 * Returns: (transfer full) (nullable): the payload, or `NULL` with @error set
 *
 * Since: 0.1
 */
GBytes *
rws_codec_encode (RwsCodec  *self,
                  JsonNode  *node,
                  GBytes    *bytes,
                  gboolean  *binary,
                  GError   **error)
{
  gboolean is_binary = FALSE;
  GBytes *payload;

  g_return_val_if_fail (RWS_IS_CODEC (self), NULL);
  g_return_val_if_fail ((node == NULL) != (bytes == NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  payload = RWS_CODEC_GET_CLASS (self)->encode (self, node, bytes, &is_binary, error);
  if (binary != NULL)
    *binary = is_binary;

  return payload;
}

/**
 * rws_codec_decode:
 * @self: a codec
 * @payload: an incoming payload
 * @binary: whether @payload arrived in binary frames
 * @text: (out) (optional) (nullable) (transfer full): the payload as text,
 *   or `NULL` when it is not text
 * @json: (out) (optional) (nullable) (transfer full): the decoded JSON
 *   value, or `NULL` when the codec produces none
 * @error: return location for an error
 *
 * Decodes an incoming payload.
 *
 * Returns: `TRUE` on success, `FALSE` with %RWS_ERROR_DECODE_FAILED
 *
 * Since: 0.1
 */
gboolean
rws_codec_decode (RwsCodec  *self,
                  GBytes    *payload,
                  gboolean   binary,
                  char     **text,
                  JsonNode **json,
                  GError   **error)
{
  g_autofree char *decoded_text = NULL;
  g_autoptr(JsonNode) decoded_json = NULL;

  g_return_val_if_fail (RWS_IS_CODEC (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!RWS_CODEC_GET_CLASS (self)->decode (self, payload, binary,
                                           &decoded_text, &decoded_json, error))
    return FALSE;

  if (text != NULL)
    *text = g_steal_pointer (&decoded_text);
  if (json != NULL)
    *json = g_steal_pointer (&decoded_json);

  return TRUE;
}

/* Shared by the built-in codecs: the payload as a string when it is valid
 * UTF-8 as a whole, so a character split across fragments is judged after
 * reassembly. */
static gboolean
payload_to_text (GBytes      *payload,
                 const char  *codec,
                 char       **text,
                 GError     **error)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  const char *end;

  if (!g_utf8_validate_len (data, size, &end))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED,
                   /* Translators: the first value is a codec name, the second a byte offset. */
                   _("The %s codec received a message that is not valid UTF-8 (at byte %zu)"),
                   codec, (gsize) (end - data));
      return FALSE;
    }

  *text = g_strndup (data, size);
  return TRUE;
}

/* text */

struct _RwsTextCodec
{
  RwsCodec parent_instance;
};

G_DEFINE_FINAL_TYPE (RwsTextCodec, rws_text_codec, RWS_TYPE_CODEC)

static GBytes *
rws_text_codec_encode (RwsCodec  *codec,
                       JsonNode  *node,
                       GBytes    *bytes,
                       gboolean  *binary,
                       GError   **error)
{
  g_autofree char *text = NULL;

  if (node != NULL)
    return RWS_CODEC_CLASS (rws_text_codec_parent_class)->encode (codec, node, bytes, binary, error);

  if (!payload_to_text (bytes, "text", &text, error))
    return NULL;

  *binary = FALSE;
  return g_bytes_ref (bytes);
}

static gboolean
rws_text_codec_decode (RwsCodec  *codec,
                       GBytes    *payload,
                       gboolean   binary,
                       char     **text,
                       JsonNode **json,
                       GError   **error)
{
  /* Binary frames stay bytes: the text codec decodes text frames. */
  if (binary)
    return TRUE;

  return payload_to_text (payload, "text", text, error);
}

static void
rws_text_codec_class_init (RwsTextCodecClass *klass)
{
  RwsCodecClass *codec_class = RWS_CODEC_CLASS (klass);

  codec_class->encode = rws_text_codec_encode;
  codec_class->decode = rws_text_codec_decode;
}

static void
rws_text_codec_init (RwsTextCodec *self)
{
}

/* binary */

struct _RwsBinaryCodec
{
  RwsCodec parent_instance;
};

G_DEFINE_FINAL_TYPE (RwsBinaryCodec, rws_binary_codec, RWS_TYPE_CODEC)

static gboolean
rws_binary_codec_decode (RwsCodec  *codec,
                         GBytes    *payload,
                         gboolean   binary,
                         char     **text,
                         JsonNode **json,
                         GError   **error)
{
  if (binary)
    return TRUE;

  return payload_to_text (payload, "binary", text, error);
}

static void
rws_binary_codec_class_init (RwsBinaryCodecClass *klass)
{
  RWS_CODEC_CLASS (klass)->decode = rws_binary_codec_decode;
}

static void
rws_binary_codec_init (RwsBinaryCodec *self)
{
}

/* json */

#define DEFAULT_MAX_DEPTH 512

struct _RwsJsonCodec
{
  RwsCodec parent_instance;

  guint max_depth;
};

enum {
  JSON_PROP_0,
  JSON_PROP_MAX_DEPTH,
  JSON_N_PROPS
};

static GParamSpec *json_properties[JSON_N_PROPS];

G_DEFINE_FINAL_TYPE (RwsJsonCodec, rws_json_codec, RWS_TYPE_CODEC)

/* Returns the deepest nesting of arrays and objects in @data, stopping
 * early past @limit. The JSON parser recurses once per level, so a
 * hostile message could otherwise exhaust the stack. */
static guint
json_nesting_depth (const char *data,
                    gsize       size,
                    guint       limit)
{
  guint depth = 0;
  guint deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < size; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          depth++;
          deepest = MAX (deepest, depth);
          if (deepest > limit)
            return deepest;
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }

  return deepest;
}

static GBytes *
rws_json_codec_encode (RwsCodec  *codec,
                       JsonNode  *node,
                       GBytes    *bytes,
                       gboolean  *binary,
                       GError   **error)
{
  g_autoptr(JsonNode) parsed = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) parse_error = NULL;

  if (node != NULL)
    return RWS_CODEC_CLASS (rws_json_codec_parent_class)->encode (codec, node, bytes, binary, error);

  /* Bytes are sent as they are, once they are known to be one JSON value. */
  if (!payload_to_text (bytes, "json", &text, error))
    return NULL;

  parsed = json_from_string (text, &parse_error);
  if (parsed == NULL)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_NOT_SUPPORTED,
                   /* Translators: the value is a parser error message. */
                   _("The json codec sends JSON only, and the message is not valid JSON: %s"),
                   parse_error != NULL ? parse_error->message : _("it is empty"));
      return NULL;
    }

  *binary = FALSE;
  return g_bytes_ref (bytes);
}

static gboolean
rws_json_codec_decode (RwsCodec  *codec,
                       GBytes    *payload,
                       gboolean   binary,
                       char     **text,
                       JsonNode **json,
                       GError   **error)
{
  RwsJsonCodec *self = (RwsJsonCodec *) codec;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *decoded = NULL;
  gsize size;
  guint depth;

  if (!payload_to_text (payload, "json", &decoded, error))
    return FALSE;

  size = strlen (decoded);
  if (size == 0)
    {
      g_set_error_literal (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED,
                           _("The json codec received an empty message, which is not valid JSON"));
      return FALSE;
    }

  depth = json_nesting_depth (decoded, size, self->max_depth);
  if (depth > self->max_depth)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED,
                   /* Translators: the value is the limit set by the max-depth property. */
                   _("The json codec received a message nested deeper than %u levels; raise codec.max-depth if this is expected"),
                   self->max_depth);
      return FALSE;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, decoded, size, &parse_error))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED,
                   /* Translators: the value is a parser error message with a line and column. */
                   _("The json codec received invalid JSON: %s"),
                   parse_error->message);
      return FALSE;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED,
                           _("The json codec received a message with no JSON value"));
      return FALSE;
    }

  *json = json_node_ref (json_parser_get_root (parser));
  if (!binary)
    *text = g_steal_pointer (&decoded);

  return TRUE;
}

static void
rws_json_codec_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RwsJsonCodec *self = (RwsJsonCodec *) object;

  switch (prop_id)
    {
    case JSON_PROP_MAX_DEPTH:
      g_value_set_uint (value, self->max_depth);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_json_codec_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RwsJsonCodec *self = (RwsJsonCodec *) object;

  switch (prop_id)
    {
    case JSON_PROP_MAX_DEPTH:
      if (self->max_depth != g_value_get_uint (value))
        {
          self->max_depth = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rws_json_codec_class_init (RwsJsonCodecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RwsCodecClass *codec_class = RWS_CODEC_CLASS (klass);

  object_class->get_property = rws_json_codec_get_property;
  object_class->set_property = rws_json_codec_set_property;
  codec_class->encode = rws_json_codec_encode;
  codec_class->decode = rws_json_codec_decode;

  /* The deepest nesting of arrays and objects accepted. */
  json_properties[JSON_PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL, 1, 100000, DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, JSON_N_PROPS, json_properties);
}

static void
rws_json_codec_init (RwsJsonCodec *self)
{
  self->max_depth = DEFAULT_MAX_DEPTH;
}
