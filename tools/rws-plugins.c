/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * "rws plugins": lists the protocol and codec plugins that the registry
 * finds, as a table or, with --json, as a JSON array. Listing reads the
 * .plugin files only, so it loads no module.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "rws-tool.h"

static const char *
kind_to_string (RwsPluginKind kind)
{
  switch (kind)
    {
    case RWS_PLUGIN_PROTOCOL:
      return "protocol";
    case RWS_PLUGIN_CODEC:
      return "codec";
    default:
      return "unknown";
    }
}

static const char *
empty_if_null (const char *text)
{
  return text != NULL ? text : "";
}

static JsonNode *
build_json (GListModel *plugins)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n_items = g_list_model_get_n_items (plugins);

  json_builder_begin_array (builder);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(RwsPluginInfo) info = g_list_model_get_item (plugins, i);
      const char *version = rws_plugin_info_get_version (info);
      const char *description = rws_plugin_info_get_description (info);
      const char *file = rws_plugin_info_get_file (info);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, rws_plugin_info_get_name (info));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, kind_to_string (rws_plugin_info_get_kind (info)));
      json_builder_set_member_name (builder, "version");
      if (version != NULL)
        json_builder_add_string_value (builder, version);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "description");
      if (description != NULL)
        json_builder_add_string_value (builder, description);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "file");
      if (file != NULL)
        json_builder_add_string_value (builder, file);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "builtin");
      json_builder_add_boolean_value (builder, rws_plugin_info_is_builtin (info));
      json_builder_set_member_name (builder, "loaded");
      json_builder_add_boolean_value (builder, rws_plugin_info_is_loaded (info));
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

static gboolean
print_json (GListModel *plugins)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = build_json (plugins);
  g_autofree char *text = NULL;
  gsize length;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);

  return rws_tool_write_stdout (text, length) && rws_tool_write_stdout ("\n", 1);
}

/* Returns the number of characters of @text, which is its width in
 * terminal columns unless it contains wide characters such as CJK. */
static int
text_width (const char *text)
{
  return (int) g_utf8_strlen (text, -1);
}

static void
append_padded (GString    *line,
               const char *text,
               int         width)
{
  g_string_append (line, text);
  for (int i = text_width (text); i < width; i++)
    g_string_append_c (line, ' ');
  g_string_append (line, "  ");
}

/* Prints one line per plugin with aligned columns: name, kind, version,
 * .plugin file (or "built-in") and description. The description comes last
 * because it is free text of any length. */
static gboolean
print_table (GListModel *plugins)
{
  const char *headers[] = { _("NAME"), _("KIND"), _("VERSION"), _("FILE") };
  int widths[G_N_ELEMENTS (headers)];
  guint n_items = g_list_model_get_n_items (plugins);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GString) output = g_string_new (NULL);

  for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
    widths[column] = text_width (headers[column]);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(RwsPluginInfo) info = g_list_model_get_item (plugins, i);
      const char *file = rws_plugin_info_get_file (info);
      char **row = g_new0 (char *, G_N_ELEMENTS (headers) + 2);

      row[0] = g_strdup (rws_plugin_info_get_name (info));
      row[1] = g_strdup (kind_to_string (rws_plugin_info_get_kind (info)));
      row[2] = g_strdup (empty_if_null (rws_plugin_info_get_version (info)));
      if (rws_plugin_info_is_builtin (info))
        row[3] = g_strdup (_("built-in"));
      else if (file == NULL)
        row[3] = g_strdup (_("registered at run time"));
      else
        row[3] = g_strdup (file);
      row[4] = g_strdup (empty_if_null (rws_plugin_info_get_description (info)));

      for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
        widths[column] = MAX (widths[column], text_width (row[column]));

      g_ptr_array_add (rows, row);
    }

  for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
    append_padded (output, headers[column], widths[column]);
  g_string_append_printf (output, "%s\n", _("DESCRIPTION"));

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      for (gsize column = 0; column < G_N_ELEMENTS (headers); column++)
        append_padded (output, row[column], widths[column]);
      g_string_append_printf (output, "%s\n", row[G_N_ELEMENTS (headers)]);
    }

  return rws_tool_write_stdout (output->str, output->len);
}

int
rws_tool_plugins (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *plugins;
  g_autofree char *description = NULL;
  gboolean json = FALSE;
  gboolean written;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON array with one object per plugin: name, kind, version, description, file (the .plugin file, null for a built-in plugin), builtin and loaded"),
      NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("List the protocol and codec plugins that rws finds: the built-in ones, then\n"
                                  "the modules described by NAME.plugin files in the plugin directories."));
  /* Translators: the value is a directory such as /usr/lib/x86_64-linux-gnu/rws-1/plugins. */
  description = g_strdup_printf (_("Plugin directories are searched in this order, each with its immediate\n"
                                   "subdirectories:\n"
                                   "\n"
                                   "  1. for the rws program of a build tree, the plugin directories of that tree\n"
                                   "  2. the absolute paths in RWS_PLUGIN_PATH, separated by colons\n"
                                   "  3. %s\n"
                                   "\n"
                                   "A directory that does not exist is skipped. When two directories contain a\n"
                                   "plugin of the same kind and name, the first one found is used.\n"
                                   "\n"
                                   "Exit status: 0 on success; 1 when standard output could not be written;\n"
                                   "2 on invalid options."),
                                 RWS_PLUGIN_DIR);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rws_tool_usage_error ("plugins", error->message);

  if (argc > 1)
    {
      /* Translators: the value is a command-line argument. */
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);

      return rws_tool_usage_error ("plugins", message);
    }

  plugins = rws_registry_list_plugins (rws_registry_get_default ());

  if (json)
    written = print_json (plugins);
  else
    written = print_table (plugins);

  if (!written)
    {
      if (errno != EPIPE)
        rws_tool_print_error (_("failed to write to standard output: %s"), g_strerror (errno));
      return RWS_TOOL_EXIT_FAILURE;
    }

  return RWS_TOOL_EXIT_SUCCESS;
}
