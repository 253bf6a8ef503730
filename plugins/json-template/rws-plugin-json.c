/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>
#include <string.h>

#include "rws-plugin-json.h"

/**
 * rws_json_pointer_is_valid:
 * @pointer: a JSON pointer
 *
 * Checks the syntax of @pointer: it is empty (the whole document) or starts
 * with `/`, and every `~` is followed by `0` or `1`.
 *
 * Returns: whether @pointer is a valid JSON pointer
 */
gboolean
rws_json_pointer_is_valid (const char *pointer)
{
  if (pointer == NULL)
    return FALSE;

  if (pointer[0] != '\0' && pointer[0] != '/')
    return FALSE;

  for (const char *p = pointer; *p != '\0'; p++)
    {
      if (*p == '~' && p[1] != '0' && p[1] != '1')
        return FALSE;
    }

  return g_utf8_validate (pointer, -1, NULL);
}

/* Splits a valid pointer into its reference tokens, with `~1` decoded to
 * `/` and `~0` to `~`.  The empty pointer has no token.
 */
static GStrv
split_pointer (const char *pointer)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *p = pointer;

  while (*p == '/')
    {
      g_autoptr(GString) token = g_string_new (NULL);

      for (p++; *p != '\0' && *p != '/'; p++)
        {
          if (*p == '~')
            {
              p++;
              g_string_append_c (token, *p == '1' ? '/' : '~');
            }
          else
            {
              g_string_append_c (token, *p);
            }
        }

      g_strv_builder_add (builder, token->str);
    }

  return g_strv_builder_end (builder);
}

/* Parses an array index token: "0" or digits without a leading zero.  The
 * token "-" (past the last element) and anything else names no element.
 */
static gboolean
parse_array_index (const char *token,
                   guint      *index)
{
  guint64 value;

  if (token[0] == '\0' || (token[0] == '0' && token[1] != '\0'))
    return FALSE;

  for (const char *p = token; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
    }

  if (!g_ascii_string_to_unsigned (token, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;

  *index = (guint) value;

  return TRUE;
}

/**
 * rws_json_pointer_get:
 * @root: (nullable): a parsed JSON document
 * @pointer: a JSON pointer
 *
 * Looks up the value that @pointer names in @root.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL when @pointer
 *   is invalid or names no value
 */
JsonNode *
rws_json_pointer_get (JsonNode   *root,
                      const char *pointer)
{
  g_auto(GStrv) tokens = NULL;
  JsonNode *node = root;

  if (root == NULL || !rws_json_pointer_is_valid (pointer))
    return NULL;

  tokens = split_pointer (pointer);

  for (guint i = 0; tokens[i] != NULL && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);

          node = json_object_get_member (object, tokens[i]);
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint index;

          if (!parse_array_index (tokens[i], &index) ||
              index >= json_array_get_length (array))
            return NULL;

          node = json_array_get_element (array, index);
        }
      else
        {
          return NULL;
        }
    }

  return node;
}

/* A cursor over JSON text that json-glib has already accepted, so the
 * scanner below only has to find where each value ends.  It still checks
 * every bound, so text that is not JSON makes it fail, never overrun.
 */
typedef struct
{
  const char *data;
  gsize       length;
  gsize       pos;
} Scanner;

static gboolean
scanner_at (Scanner *scanner,
            char     c)
{
  return scanner->pos < scanner->length && scanner->data[scanner->pos] == c;
}

static void
skip_whitespace (Scanner *scanner)
{
  while (scanner->pos < scanner->length)
    {
      char c = scanner->data[scanner->pos];

      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        break;
      scanner->pos++;
    }
}

/* Moves past the string whose opening quote is at the cursor. */
static gboolean
skip_string (Scanner *scanner)
{
  scanner->pos++;

  while (scanner->pos < scanner->length)
    {
      char c = scanner->data[scanner->pos];

      if (c == '"')
        {
          scanner->pos++;
          return TRUE;
        }

      scanner->pos += c == '\\' ? 2 : 1;
    }

  return FALSE;
}

static gboolean
is_scalar_end (char c)
{
  switch (c)
    {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case ',':
    case ':':
    case ']':
    case '}':
      return TRUE;
    default:
      return FALSE;
    }
}

/* Moves past the value at the cursor.  Containers are skipped by counting
 * brackets outside strings, without recursion, so nesting depth costs no
 * stack.
 */
static gboolean
skip_value (Scanner *scanner)
{
  gsize start = scanner->pos;
  gsize depth = 0;

  if (scanner->pos >= scanner->length)
    return FALSE;

  if (scanner_at (scanner, '"'))
    return skip_string (scanner);

  if (!scanner_at (scanner, '{') && !scanner_at (scanner, '['))
    {
      while (scanner->pos < scanner->length &&
             !is_scalar_end (scanner->data[scanner->pos]))
        scanner->pos++;

      return scanner->pos > start;
    }

  do
    {
      char c = scanner->data[scanner->pos];

      if (c == '"')
        {
          if (!skip_string (scanner))
            return FALSE;
          continue;
        }

      if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        depth--;

      scanner->pos++;
    }
  while (depth > 0 && scanner->pos < scanner->length);

  return depth == 0;
}

/* Compares the member name between data[start] and data[end] (quotes
 * included) with @token.  Names with escapes are decoded by json-glib.
 */
static gboolean
member_name_equals (const char *data,
                    gsize       start,
                    gsize       end,
                    const char *token)
{
  const char *name = data + start + 1;
  gsize name_length = end - start - 2;
  g_autofree char *quoted = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (memchr (name, '\\', name_length) == NULL)
    return strlen (token) == name_length && memcmp (name, token, name_length) == 0;

  quoted = g_strndup (data + start, end - start);
  node = json_from_string (quoted, NULL);

  return node != NULL &&
         json_node_get_value_type (node) == G_TYPE_STRING &&
         g_strcmp0 (json_node_get_string (node), token) == 0;
}

/* Moves the cursor from the opening brace of an object to the value of its
 * member named @token.
 */
static gboolean
enter_member (Scanner    *scanner,
              const char *token)
{
  scanner->pos++;

  for (;;)
    {
      gsize name_start;
      gboolean found;

      skip_whitespace (scanner);
      if (!scanner_at (scanner, '"'))
        return FALSE;

      name_start = scanner->pos;
      if (!skip_string (scanner))
        return FALSE;
      found = member_name_equals (scanner->data, name_start, scanner->pos, token);

      skip_whitespace (scanner);
      if (!scanner_at (scanner, ':'))
        return FALSE;
      scanner->pos++;
      skip_whitespace (scanner);

      if (found)
        return TRUE;

      if (!skip_value (scanner))
        return FALSE;
      skip_whitespace (scanner);
      if (!scanner_at (scanner, ','))
        return FALSE;
      scanner->pos++;
    }
}

/* Moves the cursor from the opening bracket of an array to its element
 * number @index.
 */
static gboolean
enter_element (Scanner *scanner,
               guint    index)
{
  scanner->pos++;

  for (guint i = 0;; i++)
    {
      skip_whitespace (scanner);
      if (scanner->pos >= scanner->length || scanner_at (scanner, ']'))
        return FALSE;

      if (i == index)
        return TRUE;

      if (!skip_value (scanner))
        return FALSE;
      skip_whitespace (scanner);
      if (!scanner_at (scanner, ','))
        return FALSE;
      scanner->pos++;
    }
}

/**
 * rws_json_pointer_find_span:
 * @text: JSON text that a JSON parser accepted
 * @length: length of @text in bytes
 * @pointer: a JSON pointer
 * @start: (out): offset of the first byte of the value
 * @end: (out): offset just past the last byte of the value
 *
 * Finds where the value that @pointer names sits in @text, so that a plugin
 * can pass that value on byte for byte.  Serializing a parsed node instead
 * would change numbers: json-glib 1.6 writes 0.1 as 0.10000000000000001
 * and reads integers beyond 64 bits as -1.
 *
 * When a member name repeats, this finds the first member of that name,
 * while json-glib keeps the last one.
 *
 * Returns: whether @pointer names a value in @text
 */
gboolean
rws_json_pointer_find_span (const char *text,
                            gsize       length,
                            const char *pointer,
                            gsize      *start,
                            gsize      *end)
{
  Scanner scanner = { text, length, 0 };
  g_auto(GStrv) tokens = NULL;

  if (!rws_json_pointer_is_valid (pointer))
    return FALSE;

  tokens = split_pointer (pointer);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      guint index;

      skip_whitespace (&scanner);

      if (scanner_at (&scanner, '{'))
        {
          if (!enter_member (&scanner, tokens[i]))
            return FALSE;
        }
      else if (scanner_at (&scanner, '['))
        {
          if (!parse_array_index (tokens[i], &index) ||
              !enter_element (&scanner, index))
            return FALSE;
        }
      else
        {
          return FALSE;
        }
    }

  skip_whitespace (&scanner);
  *start = scanner.pos;
  if (!skip_value (&scanner))
    return FALSE;
  *end = scanner.pos;

  return TRUE;
}

/**
 * rws_json_node_dup_scalar_text:
 * @node: (nullable): a JSON value
 *
 * Formats a string, number or boolean as text, so that the id 7 and the
 * id "7" compare equal.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL when @node is
 *   %NULL, null, an object or an array
 */
char *
rws_json_node_dup_scalar_text (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  type = json_node_get_value_type (node);

  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");

  if (type == G_TYPE_DOUBLE)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    }

  return NULL;
}

/**
 * rws_json_escape_string:
 * @text: UTF-8 text
 * @length: length of @text in bytes, or -1 when it ends with a NUL byte
 *
 * Escapes @text for use between the quotes of a JSON string: quotes,
 * backslashes and control characters become escape sequences, and every
 * other character stays as it is.
 *
 * Returns: (transfer full): the escaped text, without quotes
 */
char *
rws_json_escape_string (const char *text,
                        gssize      length)
{
  gsize size = length < 0 ? strlen (text) : (gsize) length;
  GString *escaped = g_string_sized_new (size + 2);

  for (gsize i = 0; i < size; i++)
    {
      guchar c = (guchar) text[i];

      switch (c)
        {
        case '"':
          g_string_append (escaped, "\\\"");
          break;
        case '\\':
          g_string_append (escaped, "\\\\");
          break;
        case '\b':
          g_string_append (escaped, "\\b");
          break;
        case '\f':
          g_string_append (escaped, "\\f");
          break;
        case '\n':
          g_string_append (escaped, "\\n");
          break;
        case '\r':
          g_string_append (escaped, "\\r");
          break;
        case '\t':
          g_string_append (escaped, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (escaped, "\\u%04x", c);
          else
            g_string_append_c (escaped, (char) c);
          break;
        }
    }

  return g_string_free (escaped, FALSE);
}

/* Writes @value with the fewest digits, from 15 to 17, that read back as
 * the same double.  Non-finite values have no JSON form and become null.
 */
static void
append_double (GString *output,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *formats[] = { "%.15g", "%.16g", "%.17g" };

  if (!isfinite (value))
    {
      g_string_append (output, "null");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, sizeof buffer, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  g_string_append (output, buffer);
}

static void
append_string (GString    *output,
               const char *text)
{
  g_autofree char *escaped = rws_json_escape_string (text, -1);

  g_string_append_c (output, '"');
  g_string_append (output, escaped);
  g_string_append_c (output, '"');
}

/* Recurses once per nesting level, which is fine for the values that
 * applications build, such as subscription parameters.
 */
static void
append_node (GString  *output,
             JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) names = json_object_get_members (object);

        g_string_append_c (output, '{');
        for (GList *link = names; link != NULL; link = link->next)
          {
            if (link != names)
              g_string_append_c (output, ',');
            append_string (output, link->data);
            g_string_append_c (output, ':');
            append_node (output, json_object_get_member (object, link->data));
          }
        g_string_append_c (output, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length = json_array_get_length (array);

        g_string_append_c (output, '[');
        for (guint i = 0; i < length; i++)
          {
            if (i > 0)
              g_string_append_c (output, ',');
            append_node (output, json_array_get_element (array, i));
          }
        g_string_append_c (output, ']');
      }
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          append_string (output, json_node_get_string (node));
        else if (type == G_TYPE_INT64)
          g_string_append_printf (output, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          append_double (output, json_node_get_double (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (output, json_node_get_boolean (node) ? "true" : "false");
        else
          g_string_append (output, "null");
      }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (output, "null");
      break;
    }
}

/**
 * rws_json_node_to_string:
 * @node: a JSON value
 *
 * Serializes @node without spaces, as json_to_string() does, but writes
 * each double with the fewest digits that read back as the same value.
 * json-glib 1.6 writes 0.1 as 0.10000000000000001.
 *
 * Returns: (transfer full): the JSON text
 */
char *
rws_json_node_to_string (JsonNode *node)
{
  GString *output = g_string_new (NULL);

  append_node (output, node);

  return g_string_free (output, FALSE);
}
