/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Configuration files: GKeyFile syntax, one `[endpoint NAME]` group per
 * client. A key that names an RwsClient property sets it from its string
 * form. `protocol.KEY` and `codec.KEY` set properties of the plugin
 * objects, `header.NAME` adds a handshake header, and `subscribe` lists
 * topics separated by `;`. `${NAME}` in a value is replaced by the environment
 * variable NAME, and `$$` by a single `$`.
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "rws-client-private.h"
#include "rws-config.h"
#include "rws-i18n.h"

#define ENDPOINT_PREFIX "endpoint "

/* Replaces ${NAME} with the environment variable NAME. */
static char *
expand_environment (const char  *value,
                    GError     **error)
{
  GString *result = g_string_new (NULL);
  const char *p = value;

  while (*p != '\0')
    {
      if (p[0] == '$' && p[1] == '$')
        {
          g_string_append_c (result, '$');
          p += 2;
        }
      else if (p[0] == '$' && p[1] == '{')
        {
          const char *end = strchr (p + 2, '}');
          g_autofree char *name = NULL;
          const char *variable;

          if (end == NULL)
            {
              g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                           _("“${” without a closing “}”; write $$ for a literal dollar sign"));
              return g_string_free (result, TRUE), NULL;
            }

          name = g_strndup (p + 2, end - (p + 2));
          variable = g_getenv (name);
          if (variable == NULL)
            {
              g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                           /* Translators: the value is the name of an environment variable. */
                           _("the environment variable %s is not set; set it or write the value in the file"),
                           name);
              return g_string_free (result, TRUE), NULL;
            }

          g_string_append (result, variable);
          p = end + 1;
        }
      else
        {
          g_string_append_c (result, *p);
          p++;
        }
    }

  return g_string_free (result, FALSE);
}

static char **
split_list (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);

      if (*item != '\0')
        g_strv_builder_add (builder, item);
    }

  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return result;
}

static gboolean
parse_boolean (const char *text,
               gboolean   *value)
{
  const char *true_words[] = { "true", "yes", "on", "1", NULL };
  const char *false_words[] = { "false", "no", "off", "0", NULL };

  for (guint i = 0; true_words[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, true_words[i]) == 0)
      return (*value = TRUE), TRUE;

  for (guint i = 0; false_words[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, false_words[i]) == 0)
      return (*value = FALSE), TRUE;

  return FALSE;
}

static gboolean
parse_enum (GType       type,
            const char *text,
            int        *value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  g_autofree char *nick = g_ascii_strdown (text, -1);
  GEnumValue *found;

  g_strdelimit (nick, "_", '-');
  found = g_enum_get_value_by_nick (klass, nick);
  if (found == NULL)
    found = g_enum_get_value_by_name (klass, text);
  if (found == NULL)
    return FALSE;

  *value = found->value;
  return TRUE;
}

static char *
describe_enum (GType type)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, klass->values[i].value_nick);
    }

  return g_string_free (text, FALSE);
}

/* Returns the edit distance of @a and @b, or a value above @limit once
 * it is known to be larger. */
static guint
edit_distance (const char *a,
               const char *b,
               guint       limit)
{
  gsize length_a = strlen (a);
  gsize length_b = strlen (b);
  g_autofree guint *row = NULL;

  if ((length_a > length_b ? length_a - length_b : length_b - length_a) > limit)
    return limit + 1;

  row = g_new (guint, length_b + 1);
  for (gsize j = 0; j <= length_b; j++)
    row[j] = j;

  for (gsize i = 1; i <= length_a; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= length_b; j++)
        {
          guint above = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[length_b];
}

/* Returns the writable property of @object whose name is closest to @key,
 * when a typo of up to two characters explains the difference. */
static const char *
closest_property (GObject    *object,
                  const char *key)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;
  const char *best = NULL;
  guint best_distance = 3;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      guint distance;

      if ((pspecs[i]->flags & G_PARAM_WRITABLE) == 0 || (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
        continue;

      distance = edit_distance (key, pspecs[i]->name, best_distance);
      if (distance < best_distance)
        {
          best = pspecs[i]->name;
          best_distance = distance;
        }
    }

  return best;
}

/* Sets the property @key of @object from its string form, as GtkBuilder
 * does, with an error that names the value and the accepted forms.
 * @owner names the object in errors, such as "the jsonrpc protocol". */
static gboolean
set_object_property (GObject     *object,
                     const char  *owner,
                     const char  *key,
                     const char  *text,
                     GError     **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), key);
  g_auto(GValue) value = G_VALUE_INIT;
  GType type;
  GType fundamental;
  char *end = NULL;

  if (pspec == NULL)
    {
      const char *closest = closest_property (object, key);

      if (closest != NULL)
        g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                     /* Translators: a key, what the key belongs to such as "an endpoint", and a key name. */
                     _("unknown key “%s” for %s; did you mean %s? docs/configuration.md lists every key"),
                     key, owner, closest);
      else
        g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                     /* Translators: a key, then what the key belongs to such as "an endpoint". */
                     _("unknown key “%s” for %s; docs/configuration.md lists every key"),
                     key, owner);
      return FALSE;
    }

  if ((pspec->flags & G_PARAM_WRITABLE) == 0 || (pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: the value is a key. */
                   _("the key “%s” cannot be set from a configuration"), key);
      return FALSE;
    }

  type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  fundamental = G_TYPE_FUNDAMENTAL (type);
  g_value_init (&value, type);
  errno = 0;

  if (type == G_TYPE_STRING)
    {
      g_value_set_string (&value, text);
    }
  else if (type == G_TYPE_STRV)
    {
      g_auto(GStrv) list = split_list (text);

      g_value_set_boxed (&value, list);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      gboolean parsed;

      if (!parse_boolean (text, &parsed))
        goto invalid;
      g_value_set_boolean (&value, parsed);
    }
  else if (type == G_TYPE_UINT || type == G_TYPE_UINT64)
    {
      guint64 parsed;

      if (!g_ascii_isdigit (*text))
        goto invalid;
      parsed = g_ascii_strtoull (text, &end, 10);
      if (errno != 0 || *end != '\0')
        goto invalid;
      if (type == G_TYPE_UINT)
        {
          GParamSpecUInt *spec = G_PARAM_SPEC_UINT (pspec);

          if (parsed < spec->minimum || parsed > spec->maximum)
            goto invalid;
          g_value_set_uint (&value, (guint) parsed);
        }
      else
        {
          GParamSpecUInt64 *spec = G_PARAM_SPEC_UINT64 (pspec);

          if (parsed < spec->minimum || parsed > spec->maximum)
            goto invalid;
          g_value_set_uint64 (&value, parsed);
        }
    }
  else if (type == G_TYPE_INT)
    {
      GParamSpecInt *spec = G_PARAM_SPEC_INT (pspec);
      gint64 parsed = g_ascii_strtoll (text, &end, 10);

      if (*text == '\0' || errno != 0 || *end != '\0' || parsed < spec->minimum || parsed > spec->maximum)
        goto invalid;
      g_value_set_int (&value, (int) parsed);
    }
  else if (type == G_TYPE_DOUBLE)
    {
      GParamSpecDouble *spec = G_PARAM_SPEC_DOUBLE (pspec);
      double parsed = g_ascii_strtod (text, &end);

      if (*text == '\0' || errno != 0 || *end != '\0' || parsed < spec->minimum || parsed > spec->maximum)
        goto invalid;
      g_value_set_double (&value, parsed);
    }
  else if (fundamental == G_TYPE_ENUM)
    {
      int parsed;

      if (!parse_enum (type, text, &parsed))
        goto invalid;
      g_value_set_enum (&value, parsed);
    }
  else
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: the first value is a key, the second a type name. */
                   _("the key “%s” has the type %s, which a configuration cannot set"),
                   key, g_type_name (type));
      return FALSE;
    }

  g_object_set_property (object, key, &value);
  return TRUE;

invalid:
  {
    g_autofree char *expected = NULL;

    if (type == G_TYPE_BOOLEAN)
      expected = g_strdup (_("true or false"));
    else if (type == G_TYPE_UINT)
      expected = g_strdup_printf (_("a whole number from %u to %u"),
                                  G_PARAM_SPEC_UINT (pspec)->minimum, G_PARAM_SPEC_UINT (pspec)->maximum);
    else if (type == G_TYPE_UINT64)
      expected = g_strdup_printf (_("a whole number from %" PRIu64 " to %" PRIu64),
                                  G_PARAM_SPEC_UINT64 (pspec)->minimum, G_PARAM_SPEC_UINT64 (pspec)->maximum);
    else if (type == G_TYPE_INT)
      expected = g_strdup_printf (_("a whole number from %d to %d"),
                                  G_PARAM_SPEC_INT (pspec)->minimum, G_PARAM_SPEC_INT (pspec)->maximum);
    else if (type == G_TYPE_DOUBLE)
      expected = g_strdup_printf (_("a number from %g to %g"),
                                  G_PARAM_SPEC_DOUBLE (pspec)->minimum, G_PARAM_SPEC_DOUBLE (pspec)->maximum);
    else
      {
        g_autofree char *names = describe_enum (type);

        expected = g_strdup_printf (_("one of %s"), names);
      }

    g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                 /* Translators: the first value is what was written, the second a key, the third the accepted forms. */
                 _("invalid value “%s” for %s: expected %s"),
                 text, key, expected);
    return FALSE;
  }
}

/**
 * rws_client_set_property_from_string:
 * @self: a client
 * @key: a configuration key
 * @value: the value as a configuration file writes it, after `${NAME}`
 *   expansion
 * @error: return location for an error
 *
 * Applies one key of a configuration file: a client property name,
 * `protocol.KEY` or `codec.KEY` (a property of the plugin object, created
 * on first use), `header.NAME` (a handshake header) or `subscribe` (topics
 * separated by `;`). Setting `protocol` or `codec` drops plugin properties
 * set earlier, so set those keys first.
 *
 * Returns: `TRUE` on success; `FALSE` with %RWS_ERROR_CONFIG_INVALID or
 *   the error of the plugin lookup
 *
 * Since: 0.1
 */
gboolean
rws_client_set_property_from_string (RwsClient   *self,
                                     const char  *key,
                                     const char  *value,
                                     GError     **error)
{
  g_return_val_if_fail (RWS_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (g_str_equal (key, "subscribe"))
    {
      g_auto(GStrv) topics = split_list (value);

      for (guint i = 0; topics[i] != NULL; i++)
        rws_client_subscribe (self, topics[i], NULL);
      return TRUE;
    }

  if (g_str_has_prefix (key, "header."))
    {
      const char *name = key + strlen ("header.");

      if (*name == '\0')
        {
          g_set_error_literal (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                               _("“header.” needs a header name, as in header.Authorization"));
          return FALSE;
        }
      if (!rws_policy_validate_header (name, value, error))
        return FALSE;
      rws_client_set_header (self, name, value);
      return TRUE;
    }

  if (g_str_has_prefix (key, "protocol."))
    {
      RwsProtocol *protocol = rws_client_get_protocol_instance (self, error);
      g_autofree char *owner = NULL;

      if (protocol == NULL)
        return FALSE;

      /* Translators: the value is a protocol plugin name. */
      owner = g_strdup_printf (_("the %s protocol (set protocol= first to choose another)"),
                               rws_client_get_protocol (self));
      return set_object_property (G_OBJECT (protocol), owner, key + strlen ("protocol."), value, error);
    }

  if (g_str_has_prefix (key, "codec."))
    {
      RwsCodec *codec = rws_client_get_codec_instance (self, error);
      g_autofree char *owner = NULL;

      if (codec == NULL)
        return FALSE;

      /* Translators: the value is a codec plugin name. */
      owner = g_strdup_printf (_("the %s codec (set codec= first to choose another)"),
                               rws_client_get_codec (self));
      return set_object_property (G_OBJECT (codec), owner, key + strlen ("codec."), value, error);
    }

  if (!set_object_property (G_OBJECT (self), _("an endpoint"), key, value, error))
    return FALSE;

  /* A plugin name is checked at once, so the error names the key. */
  if (g_str_equal (key, "protocol"))
    return rws_client_get_protocol_instance (self, error) != NULL;
  if (g_str_equal (key, "codec"))
    return rws_client_get_codec_instance (self, error) != NULL;
  if (g_str_equal (key, "url"))
    return rws_policy_validate_url (value, error);

  return TRUE;
}

static gboolean
apply_key (RwsClient   *client,
           GKeyFile    *key_file,
           const char  *source_name,
           const char  *group,
           const char  *key,
           GError     **error)
{
  g_autofree char *raw = NULL;
  g_autofree char *expanded = NULL;
  g_autoptr(GError) local_error = NULL;

  raw = g_key_file_get_string (key_file, group, key, &local_error);
  if (raw != NULL)
    expanded = expand_environment (raw, &local_error);

  if (expanded == NULL ||
      !rws_client_set_property_from_string (client, key, expanded, &local_error))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: a file name, a group name, a key and an error message. */
                   _("%s: [%s] %s: %s"),
                   source_name, group, key, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static RwsClient *
load_endpoint (GKeyFile    *key_file,
               const char  *source_name,
               const char  *group,
               GError     **error)
{
  g_autoptr(RwsClient) client = NULL;
  g_auto(GStrv) keys = NULL;
  const char *name = group + strlen (ENDPOINT_PREFIX);
  const char *first[] = { "protocol", "codec", NULL };

  if (*name == '\0' || strchr (name, ' ') != NULL)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: a file name and a group name. */
                   _("%s: [%s]: an endpoint needs a one-word name, as in [endpoint ticker]"),
                   source_name, group);
      return NULL;
    }

  if (!g_key_file_has_key (key_file, group, "url", NULL))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: a file name and a group name. */
                   _("%s: [%s]: the key url is missing; add url=ws://HOST:PORT/PATH"),
                   source_name, group);
      return NULL;
    }

  client = rws_client_new (NULL);
  rws_client_set_name (client, name);

  /* The plugins first, so their keys find their objects. */
  for (guint i = 0; first[i] != NULL; i++)
    if (g_key_file_has_key (key_file, group, first[i], NULL) &&
        !apply_key (client, key_file, source_name, group, first[i], error))
      return NULL;

  keys = g_key_file_get_keys (key_file, group, NULL, NULL);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      if (g_str_equal (keys[i], "name"))
        {
          g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                       /* Translators: a file name and a group name. */
                       _("%s: [%s] name: the endpoint name comes from the group name; remove this key"),
                       source_name, group);
          return NULL;
        }

      if (g_strv_contains (first, keys[i]))
        continue;
      if (!apply_key (client, key_file, source_name, group, keys[i], error))
        return NULL;
    }

  return g_steal_pointer (&client);
}

/* GKeyFile merges a group that appears twice into one, so a repeated
 * endpoint would silently take the keys of both. The raw text is scanned
 * for group headers first. */
static gboolean
check_duplicate_groups (const char  *data,
                        gsize        length,
                        const char  *source_name,
                        GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = g_strndup (data, length);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      gsize size = strlen (line);
      g_autofree char *group = NULL;

      if (size < 2 || line[0] != '[' || line[size - 1] != ']')
        continue;

      group = g_strndup (line + 1, size - 2);
      if (!g_hash_table_add (seen, g_steal_pointer (&group)))
        {
          g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                       /* Translators: a file name, a group name and a line number. */
                       _("%s: [%.*s]: the group appears again on line %u; give each endpoint its own name"),
                       source_name, (int) (size - 2), line + 1, i + 1);
          return FALSE;
        }
    }

  return TRUE;
}

static GPtrArray *
load_key_file (GKeyFile    *key_file,
               const char  *source_name,
               GError     **error)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      RwsClient *client;

      if (g_str_equal (groups[i], "endpoint"))
        {
          g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                       /* Translators: a file name. */
                       _("%s: [endpoint]: the endpoint name is missing, as in [endpoint ticker]"),
                       source_name);
          return NULL;
        }

      if (!g_str_has_prefix (groups[i], ENDPOINT_PREFIX))
        {
          g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                       /* Translators: a file name and a group name. */
                       _("%s: [%s]: unknown group; this version reads [endpoint NAME] groups only"),
                       source_name, groups[i]);
          return NULL;
        }

      client = load_endpoint (key_file, source_name, groups[i], error);
      if (client == NULL)
        return NULL;
      g_ptr_array_add (clients, client);
    }

  if (clients->len == 0)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: a file name. */
                   _("%s: no [endpoint NAME] group; add one with at least a url key"),
                   source_name);
      return NULL;
    }

  return g_steal_pointer (&clients);
}

/**
 * rws_config_load:
 * @path: a configuration file
 * @error: return location for an error
 *
 * Loads a configuration file and creates a client for each
 * `[endpoint NAME]` group, with [property@Rws.Client:name] set to NAME.
 * The clients are not started. An unknown key, a bad value or a missing
 * environment variable fails the whole file, with an error that names the
 * file, the group and the key.
 *
 * Returns: (transfer container) (element-type RwsClient) (nullable): the
 *   clients, in the order of the file, or `NULL` with
 *   %RWS_ERROR_CONFIG_INVALID
 *
 * Since: 0.1
 */
GPtrArray *
rws_config_load (const char  *path,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rws_i18n_init ();

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: a file name and an error message. */
                   _("%s: %s"), path, local_error->message);
      return NULL;
    }

  return rws_config_load_data (contents, (gssize) length, path, error);
}

/**
 * rws_config_load_data:
 * @data: the text of a configuration
 * @length: the length of @data in bytes, or -1 when it ends with a NUL
 * @source_name: the name to use in errors, such as a file name
 * @error: return location for an error
 *
 * Loads a configuration from memory, like [func@Rws.config_load].
 *
 * Returns: (transfer container) (element-type RwsClient) (nullable): the
 *   clients, or `NULL` with %RWS_ERROR_CONFIG_INVALID
 *
 * Since: 0.1
 */
GPtrArray *
rws_config_load_data (const char  *data,
                      gssize       length,
                      const char  *source_name,
                      GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (source_name != NULL, NULL);

  rws_i18n_init ();

  if (!check_duplicate_groups (data, length < 0 ? strlen (data) : (gsize) length, source_name, error))
    return NULL;

  if (!g_key_file_load_from_data (key_file, data, length < 0 ? (gsize) -1 : (gsize) length,
                                  G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: a file name and the parser's message. */
                   _("%s: %s; a configuration has [endpoint NAME] groups of KEY=VALUE lines"),
                   source_name, local_error->message);
      return NULL;
    }

  return load_key_file (key_file, source_name, error);
}
