/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Parsing and checking of option values. Every error names the option, the
 * value and the accepted forms, and belongs to G_OPTION_ERROR so callers
 * can report it as a usage error.
 */

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "rws-tool.h"

struct _RwsToolPropertyOptions
{
  const RwsToolPropertyOption *options;
  gsize n_options;

  /* One entry per option plus the terminating empty entry. */
  GOptionEntry *entries;
  /* The text given for each option, or NULL. */
  char **values;
  /* The help texts of the entries, which include the property defaults. */
  GPtrArray *descriptions;
};

/* Formats @number with a period as the decimal separator in every
 * locale, as the option parser expects it. */
static char *
format_double (double number)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%g", number));
}

static char *
format_value (const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  if (type == G_TYPE_UINT)
    return g_strdup_printf ("%u", g_value_get_uint (value));
  if (type == G_TYPE_INT)
    return g_strdup_printf ("%d", g_value_get_int (value));
  if (type == G_TYPE_UINT64)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, g_value_get_uint64 (value));
  if (type == G_TYPE_DOUBLE)
    return format_double (g_value_get_double (value));
  if (G_TYPE_IS_ENUM (type))
    {
      g_autoptr(GEnumClass) enum_class = g_type_class_ref (type);
      GEnumValue *enum_value = g_enum_get_value (enum_class, g_value_get_enum (value));

      return g_strdup (enum_value != NULL ? enum_value->value_nick : "?");
    }

  return g_strdup_value_contents (value);
}

static GParamSpec *
find_client_property (const char *name)
{
  GObjectClass *client_class = g_type_class_ref (RWS_TYPE_CLIENT);
  GParamSpec *pspec = g_object_class_find_property (client_class, name);

  /* A static type keeps its class after the last reference is dropped,
   * so the GParamSpec stays valid. */
  g_type_class_unref (client_class);

  return pspec;
}

/* Creates a GOptionEntry for each of @options that stores the option's
 * text and shows the property's default value in the help text. */
RwsToolPropertyOptions *
rws_tool_property_options_new (const RwsToolPropertyOption *options,
                               gsize                        n_options)
{
  RwsToolPropertyOptions *self = g_new0 (RwsToolPropertyOptions, 1);

  self->options = options;
  self->n_options = n_options;
  self->entries = g_new0 (GOptionEntry, n_options + 1);
  self->values = g_new0 (char *, n_options + 1);
  self->descriptions = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < n_options; i++)
    {
      GParamSpec *pspec = find_client_property (options[i].name);
      char *description;

      if (pspec != NULL)
        {
          g_autofree char *default_text = format_value (g_param_spec_get_default_value (pspec));

          /* Translators: the first value is an option's help text, the second its default value. */
          description = g_strdup_printf (_("%s (default: %s)"), _(options[i].description), default_text);
        }
      else
        {
          description = g_strdup (_(options[i].description));
        }

      g_ptr_array_add (self->descriptions, description);

      self->entries[i].long_name = options[i].name;
      self->entries[i].arg = G_OPTION_ARG_STRING;
      self->entries[i].arg_data = &self->values[i];
      self->entries[i].description = description;
      self->entries[i].arg_description = options[i].arg_description;
    }

  return self;
}

void
rws_tool_property_options_free (RwsToolPropertyOptions *self)
{
  if (self == NULL)
    return;

  g_strfreev (self->values);
  g_free (self->entries);
  g_ptr_array_unref (self->descriptions);
  g_free (self);
}

GOptionEntry *
rws_tool_property_options_get_entries (RwsToolPropertyOptions *self)
{
  return self->entries;
}

static gboolean
set_range_error (GError                      **error,
                 const RwsToolPropertyOption  *option,
                 const char                   *text,
                 const char                   *min,
                 const char                   *max)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               /* Translators: the values are what the user typed, an option
                * name, a kind of value such as "a whole number of
                * milliseconds", and the smallest and largest accepted values. */
               _("invalid value “%s” for --%s: expected %s from %s to %s"),
               text, option->name, _(option->value_kind), min, max);
  return FALSE;
}

static gboolean
parse_enum (GParamSpec                   *pspec,
            const RwsToolPropertyOption  *option,
            const char                   *text,
            GValue                       *value,
            GError                      **error)
{
  GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
  GEnumValue *enum_value = g_enum_get_value_by_nick (enum_class, text);
  g_autoptr(GString) accepted = NULL;

  if (enum_value != NULL)
    {
      g_value_set_enum (value, enum_value->value);
      return TRUE;
    }

  accepted = g_string_new (NULL);
  for (guint i = 0; i < enum_class->n_values; i++)
    {
      if (i > 0)
        g_string_append (accepted, ", ");
      g_string_append (accepted, enum_class->values[i].value_nick);
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               /* Translators: the values are what the user typed, an option
                * name, and a comma-separated list of accepted names. */
               _("invalid value “%s” for --%s: expected one of %s"),
               text, option->name, accepted->str);
  return FALSE;
}

static gboolean
parse_double (GParamSpec                   *pspec,
              const RwsToolPropertyOption  *option,
              const char                   *text,
              GValue                       *value,
              GError                      **error)
{
  GParamSpecDouble *range = G_PARAM_SPEC_DOUBLE (pspec);
  char *end = NULL;
  double number;

  number = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (number) ||
      number < range->minimum || number > range->maximum)
    {
      g_autofree char *min = format_double (range->minimum);
      g_autofree char *max = format_double (range->maximum);

      return set_range_error (error, option, text, min, max);
    }

  g_value_set_double (value, number);
  return TRUE;
}

static gboolean
parse_property_value (GParamSpec                   *pspec,
                      const RwsToolPropertyOption  *option,
                      const char                   *text,
                      GValue                       *value,
                      GError                      **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  guint64 unsigned_number;
  gint64 signed_number;

  g_value_init (value, type);

  if (type == G_TYPE_UINT)
    {
      GParamSpecUInt *range = G_PARAM_SPEC_UINT (pspec);

      if (!g_ascii_string_to_unsigned (text, 10, range->minimum, range->maximum, &unsigned_number, NULL))
        {
          g_autofree char *min = g_strdup_printf ("%u", range->minimum);
          g_autofree char *max = g_strdup_printf ("%u", range->maximum);

          return set_range_error (error, option, text, min, max);
        }

      g_value_set_uint (value, (guint) unsigned_number);
      return TRUE;
    }

  if (type == G_TYPE_UINT64)
    {
      GParamSpecUInt64 *range = G_PARAM_SPEC_UINT64 (pspec);

      if (!g_ascii_string_to_unsigned (text, 10, range->minimum, range->maximum, &unsigned_number, NULL))
        {
          g_autofree char *min = g_strdup_printf ("%" G_GUINT64_FORMAT, range->minimum);
          g_autofree char *max = g_strdup_printf ("%" G_GUINT64_FORMAT, range->maximum);

          return set_range_error (error, option, text, min, max);
        }

      g_value_set_uint64 (value, unsigned_number);
      return TRUE;
    }

  if (type == G_TYPE_INT)
    {
      GParamSpecInt *range = G_PARAM_SPEC_INT (pspec);

      if (!g_ascii_string_to_signed (text, 10, range->minimum, range->maximum, &signed_number, NULL))
        {
          g_autofree char *min = g_strdup_printf ("%d", range->minimum);
          g_autofree char *max = g_strdup_printf ("%d", range->maximum);

          return set_range_error (error, option, text, min, max);
        }

      g_value_set_int (value, (int) signed_number);
      return TRUE;
    }

  if (type == G_TYPE_DOUBLE)
    return parse_double (pspec, option, text, value, error);

  if (G_TYPE_IS_ENUM (type))
    return parse_enum (pspec, option, text, value, error);

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
               /* Translators: the first value is an option name, the second a GLib type name. */
               _("--%s sets a property of type %s, which rws cannot parse"),
               option->name, g_type_name (type));
  return FALSE;
}

/* Parses the text of every property option that was given and sets the
 * property on @client. Fails with a G_OPTION_ERROR that names the option,
 * the value and the accepted forms. */
gboolean
rws_tool_property_options_apply (RwsToolPropertyOptions  *self,
                                 RwsClient               *client,
                                 GError                 **error)
{
  for (gsize i = 0; i < self->n_options; i++)
    {
      const RwsToolPropertyOption *option = &self->options[i];
      g_auto(GValue) value = G_VALUE_INIT;
      GParamSpec *pspec;

      if (self->values[i] == NULL)
        continue;

      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (client), option->name);
      if (pspec == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       /* Translators: the value is an option name, which is also the name of a client property. */
                       _("--%s is not supported by this version of the Rws library"),
                       option->name);
          return FALSE;
        }

      if (!parse_property_value (pspec, option, self->values[i], &value, error))
        return FALSE;

      g_object_set_property (G_OBJECT (client), option->name, &value);
    }

  return TRUE;
}

/* Parses @text as a decimal whole number from @min to @max. @option is the
 * option name without dashes and @value_kind describes the value in the
 * error, such as "a whole number of milliseconds". */
gboolean
rws_tool_parse_unsigned (const char  *option,
                         const char  *text,
                         guint64      min,
                         guint64      max,
                         const char  *value_kind,
                         guint64     *value,
                         GError     **error)
{
  if (!g_ascii_string_to_unsigned (text, 10, min, max, value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("invalid value “%s” for --%s: expected %s from %" PRIu64 " to %" PRIu64),
                   text, option, value_kind, min, max);
      return FALSE;
    }

  return TRUE;
}

/* Checks that @url is a ws:// or wss:// URL with a host. @option names the
 * option that gave the URL, or is NULL for the URL argument. */
gboolean
rws_tool_check_url (const char  *option,
                    const char  *url,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *subject = NULL;
  const char *scheme;
  const char *host;

  if (option != NULL)
    /* Translators: the first value is a URL, the second an option name. */
    subject = g_strdup_printf (_("invalid URL “%s” for --%s"), url, option);
  else
    /* Translators: the value is a URL. */
    subject = g_strdup_printf (_("invalid URL “%s”"), url);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &parse_error);
  if (uri == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the first value is "invalid URL “…”", the second describes the problem. */
                   _("%s (%s). Use a ws:// or wss:// URL such as ws://127.0.0.1:8080/"),
                   subject, parse_error->message);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the first value is "invalid URL “…”", the second a URL scheme such as "http". */
                   _("%s: the scheme “%s” is not ws or wss. Use a ws:// or wss:// URL such as ws://127.0.0.1:8080/"),
                   subject, scheme);
      return FALSE;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the value is "invalid URL “…”". */
                   _("%s: it has no host. Use a URL such as ws://127.0.0.1:8080/"),
                   subject);
      return FALSE;
    }

  return TRUE;
}

/* Whether @c may appear in an HTTP "token" (RFC 9110, section 5.6.2),
 * such as a header name or a WebSocket subprotocol name. */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Whether @text is a non-empty HTTP token. */
gboolean
rws_tool_is_http_token (const char *text)
{
  if (*text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!is_token_char (*p))
        return FALSE;
    }

  return TRUE;
}

/* Splits a --header value "Name: value" at its first colon and trims the
 * white space around the name and the value. */
gboolean
rws_tool_parse_header (const char  *text,
                       char       **name,
                       char       **value,
                       GError     **error)
{
  const char *colon = strchr (text, ':');
  g_autofree char *parsed_name = NULL;
  g_autofree char *parsed_value = NULL;

  if (colon == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the value is what the user gave to --header. */
                   _("invalid value “%s” for --header: expected “Name: value”, with a colon after the name"),
                   text);
      return FALSE;
    }

  parsed_name = g_strstrip (g_strndup (text, colon - text));
  parsed_value = g_strstrip (g_strdup (colon + 1));

  if (*parsed_name == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s", _("invalid value for --header: the header name before the colon is empty. Expected “Name: value”"));
      return FALSE;
    }

  if (!rws_tool_is_http_token (parsed_name))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the value is an HTTP header name. */
                   _("invalid header name “%s” for --header: a name contains only letters, digits and !#$%%&'*+-.^_`|~"),
                   parsed_name);
      return FALSE;
    }

  /* The value is not shown in the error because it may be a credential. */
  for (const char *p = parsed_value; *p != '\0'; p++)
    {
      if (g_ascii_iscntrl (*p) && *p != '\t')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: the value is an HTTP header name. */
                       _("invalid value for --header “%s”: the value contains a line break or another control character"),
                       parsed_name);
          return FALSE;
        }
    }

  *name = g_steal_pointer (&parsed_name);
  *value = g_steal_pointer (&parsed_value);

  return TRUE;
}

/* Returns @url without user information, query and fragment, which may
 * carry credentials, for lines on stderr. */
char *
rws_tool_redact_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return g_strdup ("(none)");

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return g_strdup (url);

  return g_uri_join (G_URI_FLAGS_ENCODED,
                     g_uri_get_scheme (uri), NULL,
                     g_uri_get_host (uri), g_uri_get_port (uri),
                     g_uri_get_path (uri), NULL, NULL);
}

/* Applies each "KEY=VALUE" of @settings to @client with the rules of a
 * configuration file (rws_client_set_property_from_string()). The error
 * names the key but not the value, which may be a credential such as
 * "header.Authorization=Bearer TOKEN". */
gboolean
rws_tool_apply_settings (RwsClient           *client,
                         const char * const  *settings,
                         GError             **error)
{
  for (gsize i = 0; settings != NULL && settings[i] != NULL; i++)
    {
      const char *equals = strchr (settings[i], '=');
      g_autofree char *key = NULL;
      g_autoptr(GError) local_error = NULL;

      if (equals == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: the value is what the user gave to --set. */
                       _("invalid value “%s” for --set: expected KEY=VALUE, with “=” after the key"),
                       settings[i]);
          return FALSE;
        }

      key = g_strndup (settings[i], equals - settings[i]);
      if (*key == '\0')
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("invalid value for --set: the key before “=” is empty. Expected KEY=VALUE"));
          return FALSE;
        }

      if (!rws_client_set_property_from_string (client, key, equals + 1, &local_error))
        {
          /* Translators: the first value is a key such as "backoff-max"
           * or "protocol.subscribe-method", the second an error message. */
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("invalid --set %s: %s"), key, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}
