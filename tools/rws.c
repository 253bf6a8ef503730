/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The rws program: "rws COMMAND [OPTION…]". This file sets up the locale
 * and logging, then hands the command line to the command's entry point.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "rws-tool.h"

typedef struct
{
  const char         *name;
  const char         *summary;  /* untranslated */
  RwsToolCommandFunc  run;
} RwsToolCommand;

static const RwsToolCommand commands[] = {
  { "connect", N_("Connect to a WebSocket URL, print the messages that arrive and send lines from standard input"), rws_tool_connect },
  { "demo",    N_("Run a client against an in-process server on 127.0.0.1 that keeps dropping it, then print a tally"), rws_tool_demo },
  { "plugins", N_("List the protocol and codec plugins with their kind, version and description"), rws_tool_plugins },
  { "run",     N_("Run every endpoint of configuration files and print the messages as JSON lines"), rws_tool_run },
};

static gboolean log_quiet;
static gboolean log_verbose;

/* Whether @domain is the tool's or the library's log domain: "rws", "Rws"
 * or a plugin's "Rws-NAME". */
static gboolean
is_rws_domain (const char *domain)
{
  return domain != NULL &&
         (g_strcmp0 (domain, G_LOG_DOMAIN) == 0 ||
          g_strcmp0 (domain, "Rws") == 0 ||
          g_str_has_prefix (domain, "Rws-"));
}

/* Whether G_MESSAGES_DEBUG requests the debug lines of @domain. */
static gboolean
is_debug_requested (const char *domain)
{
  const char *requested = g_getenv ("G_MESSAGES_DEBUG");
  g_auto(GStrv) domains = NULL;

  if (requested == NULL)
    return FALSE;

  domains = g_strsplit_set (requested, " ,", -1);

  return g_strv_contains ((const char * const *) domains, "all") ||
         (domain != NULL && g_strv_contains ((const char * const *) domains, domain));
}

/*
 * Lifecycle lines are g_message() calls in the "rws" log domain. They are
 * printed as "rws: TEXT" on stderr, or not at all with --quiet. With
 * --verbose, debug lines of the tool and the library are printed too.
 * Everything else goes to GLib's default writer, which still honours
 * G_MESSAGES_DEBUG for other domains.
 */
static GLogWriterOutput
rws_tool_log_writer (GLogLevelFlags   log_level,
                     const GLogField *fields,
                     gsize            n_fields,
                     gpointer         user_data)
{
  const char *domain = NULL;
  const GLogField *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = &fields[i];
    }

  if (g_strcmp0 (domain, G_LOG_DOMAIN) == 0 &&
      (log_level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) != 0 &&
      message != NULL)
    {
      g_autofree char *text = NULL;

      if (log_quiet)
        return G_LOG_WRITER_HANDLED;

      if (message->length < 0)
        text = g_strdup (message->value);
      else
        text = g_strndup (message->value, message->length);

      fprintf (stderr, "rws: %s\n", text);
      fflush (stderr);

      return G_LOG_WRITER_HANDLED;
    }

  /* --verbose turns GLib's debug output on, because the library skips
   * building debug lines that GLib would drop. Other domains keep their
   * usual filter, G_MESSAGES_DEBUG. */
  if (log_verbose && (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 &&
      !is_rws_domain (domain) && !is_debug_requested (domain))
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Turns lifecycle lines off (@quiet), or debug lines of the tool and the
 * library on (@verbose). */
void
rws_tool_set_verbosity (gboolean quiet,
                        gboolean verbose)
{
  log_quiet = quiet;
  log_verbose = verbose;
  g_log_set_debug_enabled (verbose);
}

/* Prints "rws: MESSAGE" on stderr. Errors are printed even with --quiet. */
void
rws_tool_print_error (const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("rws: %s\n", message);
}

/* Prints a usage error of @command and returns RWS_TOOL_EXIT_USAGE. */
int
rws_tool_usage_error (const char *command,
                      const char *message)
{
  rws_tool_print_error ("%s", message);
  /* Translators: the value is a command name such as "connect". */
  g_printerr (_("Run “rws %s --help” to see the options.\n"), command);

  return RWS_TOOL_EXIT_USAGE;
}

static void
print_help (FILE *stream)
{
  int width = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, (int) strlen (commands[i].name));

  fprintf (stream, "%s\n  rws %s\n\n", _("Usage:"), _("COMMAND [OPTION…]"));
  fprintf (stream, "%s\n\n", _("Connect to WebSocket servers and stay connected: reconnect with backoff,\n"
                                "detect dead peers and queue messages while offline."));
  fprintf (stream, "%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-*s  %s\n", width, commands[i].name, _(commands[i].summary));

  fprintf (stream, "\n%s\n", _("Options:"));
  fprintf (stream, "  -h, --help  %s\n", _("Show this help and exit"));
  fprintf (stream, "  --version   %s\n", _("Show the version and exit"));
  fprintf (stream, "\n%s\n", _("Run “rws COMMAND --help” to see the options of a command."));
  fprintf (stream, "%s\n", _("Exit status: 0 on success, 1 on a runtime failure, 2 on a usage or configuration error."));
}

/*
 * Adds the plugin directories of the build tree to the default registry
 * when this process is the rws program of that build tree, so that
 * build/tools/rws finds the plugins built next to it with no install and
 * no RWS_PLUGIN_PATH. An installed rws is another file and searches the
 * installed plugin directory only, as every application does.
 *
 * meson passes RWS_BUILD_TOOL_PATH, the path of the program in the build
 * tree, and RWS_PLUGINS_BUILD_DIRS, the plugin build directories joined
 * with colons. Both paths are resolved before the comparison, so symbolic
 * links in the build path do not matter.
 */
static void
add_build_tree_plugin_dirs (void)
{
  g_autofree char *executable = NULL;
  g_autofree char *build_tool = NULL;
  g_auto(GStrv) directories = NULL;
  RwsRegistry *registry;

  executable = realpath ("/proc/self/exe", NULL);
  build_tool = realpath (RWS_BUILD_TOOL_PATH, NULL);
  if (executable == NULL || build_tool == NULL || strcmp (executable, build_tool) != 0)
    return;

  registry = rws_registry_get_default ();
  directories = g_strsplit (RWS_PLUGINS_BUILD_DIRS, ":", -1);
  for (guint i = 0; directories[i] != NULL; i++)
    {
      if (*directories[i] == '\0')
        continue;

      g_debug ("Running from the build tree, so plugins are also searched in %s", directories[i]);
      rws_registry_add_search_path (registry, directories[i]);
    }
}

static const RwsToolCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (commands[i].name, name) == 0)
        return &commands[i];
    }

  return NULL;
}

int
main (int    argc,
      char **argv)
{
  const RwsToolCommand *command;
  g_autofree char *program_name = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_log_set_writer_func (rws_tool_log_writer, NULL, NULL);

  if (argc < 2)
    {
      print_help (stderr);
      return RWS_TOOL_EXIT_USAGE;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return RWS_TOOL_EXIT_SUCCESS;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("rws %s\n", PACKAGE_VERSION);
      return RWS_TOOL_EXIT_SUCCESS;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      /* Translators: the value is what the user typed in place of a command. */
      rws_tool_print_error (_("unknown command “%s”"), argv[1]);
      g_printerr ("%s\n", _("Run “rws --help” to see the commands."));
      return RWS_TOOL_EXIT_USAGE;
    }

  /* GOptionContext shows the program name in "Usage:" lines, so each
   * command's help reads "rws connect [OPTION…] URL". */
  program_name = g_strdup_printf ("rws %s", command->name);
  g_set_prgname (program_name);
  argv[1] = program_name;

  add_build_tree_plugin_dirs ();

  return command->run (argc - 1, argv + 1);
}
